// Package lockfile reads the version of one package from the lockfile an
// app is built from: package-lock.json (v1, v2, v3), pnpm-lock.yaml (v5,
// v6, v9), yarn.lock (classic and berry) and go.mod. It is a leaf: it
// knows the formats and nothing of sources or rules.
//
// A lockfile can name a package more than once (a direct dependency and a
// copy nested under another package, several workspaces). The version
// reported is the one the app itself asks for: a dependency of the root
// project first, then of any workspace, then any copy; among equals the
// highest version.
package lockfile

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// Format is a lockfile format, named by its usual file name.
type Format string

// The formats read.
const (
	NPM   Format = "package-lock.json"
	PNPM  Format = "pnpm-lock.yaml"
	Yarn  Format = "yarn.lock"
	GoMod Format = "go.mod"
)

// Ecosystem tells which package names a format holds: npm names or Go
// module paths.
func (f Format) Ecosystem() string {
	if f == GoMod {
		return "go"
	}
	return "npm"
}

// ErrNotFound is returned when the lockfile does not name the package.
var ErrNotFound = errors.New("package not in the lockfile")

// Match is the version a lockfile resolves for a package.
type Match struct {
	// Name is the package name or module path as the lockfile spells it.
	Name    string
	Version string
}

// rank orders where a lockfile names a package: what the app asks for
// itself wins over copies pulled in by others.
type rank int

const (
	transitive rank = iota
	workspace
	root
)

// entry is one place a lockfile names a package.
type entry struct {
	name    string
	version string
	rank    rank
}

// Detect picks the format from the file's base name, and for an unusual
// name from its content.
func Detect(name string, data []byte) (Format, error) {
	switch base := path.Base(strings.ReplaceAll(name, "\\", "/")); {
	case base == "package-lock.json" || base == "npm-shrinkwrap.json":
		return NPM, nil
	case base == "pnpm-lock.yaml" || base == "pnpm-lock.yml":
		return PNPM, nil
	case base == "yarn.lock":
		return Yarn, nil
	case base == "go.mod":
		return GoMod, nil
	}
	head := string(data[:min(len(data), 4096)])
	switch {
	case strings.Contains(head, `"lockfileVersion"`):
		return NPM, nil
	case strings.Contains(head, "lockfileVersion:"):
		return PNPM, nil
	case strings.Contains(head, "yarn lockfile v1") || strings.Contains(head, "__metadata:"):
		return Yarn, nil
	case strings.HasPrefix(strings.TrimSpace(head), "module ") || strings.Contains(head, "\nmodule "):
		return GoMod, nil
	}
	return "", fmt.Errorf("lockfile %s: unknown format (want package-lock.json, pnpm-lock.yaml, yarn.lock or go.mod)", name)
}

// Version returns the version the lockfile resolves for the first of names
// it holds. Names are tried in order, so a caller can offer a guess
// ("@auth0/nextjs-auth0", then "nextjs-auth0").
func Version(f Format, data []byte, names ...string) (Match, error) {
	var entries []entry
	var err error
	switch f {
	case NPM:
		entries, err = npmEntries(data, names)
	case PNPM:
		entries, err = pnpmEntries(data, names)
	case Yarn:
		entries, err = yarnEntries(data, names)
	case GoMod:
		return goModVersion(data, names)
	default:
		return Match{}, fmt.Errorf("lockfile: unknown format %q", f)
	}
	if err != nil {
		return Match{}, fmt.Errorf("%s: %w", f, err)
	}
	for _, n := range names {
		if m, ok := best(entries, n); ok {
			return m, nil
		}
	}
	return Match{}, fmt.Errorf("%s: %s: %w", f, strings.Join(names, " or "), ErrNotFound)
}

// best picks the entry of name the app asks for itself, the highest
// version among equals.
func best(entries []entry, name string) (Match, bool) {
	var c []entry
	for _, e := range entries {
		if e.name == name && e.version != "" {
			c = append(c, e)
		}
	}
	if len(c) == 0 {
		return Match{}, false
	}
	sort.SliceStable(c, func(i, j int) bool {
		if c[i].rank != c[j].rank {
			return c[i].rank > c[j].rank
		}
		return newer(c[i].version, c[j].version)
	})
	return Match{Name: c[0].name, Version: c[0].version}, true
}

// newer reports whether a is a higher version than b; versions that do not
// parse sort last, by text.
func newer(a, b string) bool {
	va, ea := semver.NewVersion(a)
	vb, eb := semver.NewVersion(b)
	switch {
	case ea == nil && eb == nil:
		return va.GreaterThan(vb)
	case ea == nil:
		return true
	case eb == nil:
		return false
	}
	return a > b
}

// wanted reports whether name is one of names; nil names want every
// package.
func wanted(names []string, name string) bool {
	if names == nil {
		return true
	}
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// splitNameVersion splits "name@version" and "@scope/name@version" at the
// @ that ends the name.
func splitNameVersion(s string) (name, version string, ok bool) {
	i := strings.Index(s[min(1, len(s)):], "@")
	if i < 0 {
		return s, "", false
	}
	i++
	return s[:i], s[i+1:], true
}

// Packages returns every package the lockfile names with the version
// Version would report for it: what `check --lockfile` sends a server,
// which knows the configured packages.
func Packages(f Format, data []byte) (map[string]string, error) {
	var entries []entry
	var err error
	switch f {
	case NPM:
		entries, err = npmEntries(data, nil)
	case PNPM:
		entries, err = pnpmEntries(data, nil)
	case Yarn:
		entries, err = yarnEntries(data, nil)
	case GoMod:
		return goModPackages(data)
	default:
		return nil, fmt.Errorf("lockfile: unknown format %q", f)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f, err)
	}
	out := map[string]string{}
	for _, e := range entries {
		if _, done := out[e.name]; done || e.version == "" {
			continue
		}
		if m, ok := best(entries, e.name); ok {
			out[e.name] = m.Version
		}
	}
	return out, nil
}

// Lookup finds the first of names in a package map (from Packages); a Go
// module path also matches its /vN major paths, the highest winning.
func Lookup(pkgs map[string]string, names ...string) (Match, bool) {
	for _, n := range names {
		if v, ok := pkgs[n]; ok && v != "" {
			return Match{Name: n, Version: v}, true
		}
		bestMajor, found := 0, Match{}
		for p, v := range pkgs {
			if major, ok := modulePath(p, n); ok && major > bestMajor && v != "" {
				bestMajor, found = major, Match{Name: p, Version: v}
			}
		}
		if bestMajor > 0 {
			return found, true
		}
	}
	return Match{}, false
}
