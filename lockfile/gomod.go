package lockfile

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
)

// goModVersion reads the required version of a module, following a
// replace directive to the version it substitutes. A name matches its
// major-version paths too: "github.com/auth0/go-auth0" finds
// "github.com/auth0/go-auth0/v2", the highest major winning.
func goModVersion(data []byte, names []string) (Match, error) {
	f, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		return Match{}, fmt.Errorf("go.mod: %w", err)
	}
	for _, name := range names {
		var found []entry
		for _, r := range f.Require {
			if major, ok := modulePath(r.Mod.Path, name); ok {
				rk := root
				if r.Indirect {
					rk = transitive
				}
				found = append(found, entry{name: r.Mod.Path, version: r.Mod.Version, rank: rk + rank(major)*10})
			}
		}
		if len(found) == 0 {
			continue
		}
		m, _ := bestOf(found)
		for _, rep := range f.Replace {
			if rep.Old.Path != m.Name || (rep.Old.Version != "" && rep.Old.Version != m.Version) {
				continue
			}
			if rep.New.Version == "" {
				return Match{}, fmt.Errorf("go.mod: %s is replaced by the directory %s, which has no version", m.Name, rep.New.Path)
			}
			return Match{Name: m.Name, Version: rep.New.Version}, nil
		}
		return m, nil
	}
	return Match{}, fmt.Errorf("go.mod: %s: %w", strings.Join(names, " or "), ErrNotFound)
}

// bestOf returns the entry of the highest rank.
func bestOf(es []entry) (Match, bool) {
	b := es[0]
	for _, e := range es[1:] {
		if e.rank > b.rank || (e.rank == b.rank && newer(strings.TrimPrefix(e.version, "v"), strings.TrimPrefix(b.version, "v"))) {
			b = e
		}
	}
	return Match{Name: b.name, Version: b.version}, true
}

// modulePath reports whether path is name or name's /vN major path, and
// which major it names (1 for none).
func modulePath(path, name string) (int, bool) {
	if path == name {
		return 1, true
	}
	rest, ok := strings.CutPrefix(path, name+"/v")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 2 || strconv.Itoa(n) != rest {
		return 0, false
	}
	return n, true
}

// goModPackages lists every required module with its version, replaced
// ones at their replacement's version; a module replaced by a directory
// has none and is left out.
func goModPackages(data []byte) (map[string]string, error) {
	f, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		return nil, fmt.Errorf("go.mod: %w", err)
	}
	out := map[string]string{}
	for _, r := range f.Require {
		out[r.Mod.Path] = r.Mod.Version
	}
	for _, rep := range f.Replace {
		v, ok := out[rep.Old.Path]
		if !ok || (rep.Old.Version != "" && rep.Old.Version != v) {
			continue
		}
		if rep.New.Version == "" {
			delete(out, rep.Old.Path)
			continue
		}
		out[rep.Old.Path] = rep.New.Version
	}
	return out, nil
}
