package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Release builds set these with
// -ldflags "-X main.version=v1.2.3 -X main.commit=abc123 -X main.date=2026-01-02T03:04:05Z";
// otherwise they come from the build info the go command embeds.
var (
	version = ""
	commit  = ""
	date    = ""
)

// buildInfo is what `version`, `--version` and driftwatch_build_info say.
type buildInfo struct {
	Version   string
	Commit    string
	Date      string
	GoVersion string
}

// currentBuild reads the linker flags, then the embedded build info.
func currentBuild() buildInfo {
	info, _ := debug.ReadBuildInfo()
	return deriveBuild(info, version, commit, date)
}

// deriveBuild prefers the linker flags (release builds), then what the go
// command recorded: the module version for `go install ...@v1.2.3`, the
// VCS revision and time for a build in a clone. A build with neither is
// "dev".
func deriveBuild(info *debug.BuildInfo, ldVersion, ldCommit, ldDate string) buildInfo {
	b := buildInfo{Version: ldVersion, Commit: ldCommit, Date: ldDate, GoVersion: runtime.Version()}
	if info == nil {
		info = &debug.BuildInfo{}
	}
	if info.GoVersion != "" {
		b.GoVersion = info.GoVersion
	}
	if b.Version == "" {
		if v := info.Main.Version; v != "" && v != "(devel)" {
			b.Version = v
		} else {
			b.Version = "dev"
		}
	}
	var revision, vcsTime string
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.time":
			vcsTime = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if b.Commit == "" && revision != "" {
		b.Commit = revision[:min(12, len(revision))]
		if modified {
			b.Commit += "-dirty"
		}
	}
	if b.Commit == "" {
		b.Commit = pseudoCommit(b.Version)
	}
	if b.Date == "" {
		b.Date = vcsTime
	}
	return b
}

// pseudoCommit takes the commit from a pseudo-version
// (v0.0.0-20260102030405-abcdef123456), which `go install ...@main` sets.
func pseudoCommit(v string) string {
	parts := strings.Split(v, "-")
	if len(parts) >= 3 {
		if last := parts[len(parts)-1]; len(last) == 12 && strings.Trim(last, "0123456789abcdef") == "" {
			return last
		}
	}
	return "unknown"
}

// String is the one line `version` and `--version` print.
func (b buildInfo) String() string {
	s := fmt.Sprintf("driftwatch %s (commit %s", b.Version, b.Commit)
	if b.Date != "" {
		s += ", built " + b.Date
	}
	return s + fmt.Sprintf(", %s %s/%s)", b.GoVersion, runtime.GOOS, runtime.GOARCH)
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(a.stdout(), currentBuild())
			return nil
		},
	}
}
