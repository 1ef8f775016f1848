package main

import (
	"context"
	"fmt"
	"io"

	"github.com/driftwatch/driftwatch/api"
	"github.com/driftwatch/driftwatch/lockfile"
	"github.com/driftwatch/driftwatch/providers/polite"
)

// readLockfiles reads the lockfiles named by --lockfile (paths or http(s)
// URLs) into one map of package to version; a package in several keeps
// the first file's. What the configured sources need is picked where the
// config is: here, or on the --server daemon.
func readLockfiles(ctx context.Context, files []string) (map[string]string, error) {
	out := map[string]string{}
	for _, file := range files {
		src := lockfile.Source{Location: file, HTTP: polite.NewClient(nil, 0)}
		data, err := src.Read(ctx)
		if err != nil {
			return nil, failf(exitUsage, "--lockfile %s: %v", src.Display(), err)
		}
		f, err := lockfile.Detect(src.Path(), data)
		if err != nil {
			return nil, failf(exitUsage, "--lockfile %s: %v", src.Display(), err)
		}
		pkgs, err := lockfile.Packages(f, data)
		if err != nil {
			return nil, failf(exitUsage, "--lockfile %s: %v", src.Display(), err)
		}
		for name, v := range pkgs {
			if _, ok := out[name]; !ok {
				out[name] = v
			}
		}
	}
	return out, nil
}

// findingRef names a finding in check's text: its ID, or that it exists
// only in this --lockfile judgement.
func findingRef(id int64) string {
	if id == 0 {
		return "(new)"
	}
	return fmt.Sprintf("#%d", id)
}

// writeDeployed says which versions --lockfile judged.
func writeDeployed(w io.Writer, ds []api.DeployedVersion) {
	for _, d := range ds {
		fmt.Fprintf(w, "  judged %s at %s %s (from --lockfile)\n", d.Source, d.Package, d.Version)
	}
}
