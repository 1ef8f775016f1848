package lockfile

import (
	"encoding/json"
	"fmt"
	"strings"
)

// npmLock is the part of package-lock.json read: "packages" (v2, v3) keyed
// by install path, and "dependencies" (v1, kept in v2) nested by package.
type npmLock struct {
	LockfileVersion int                        `json:"lockfileVersion"`
	Packages        map[string]json.RawMessage `json:"packages"`
	Dependencies    map[string]npmDep          `json:"dependencies"`
}

type npmPackage struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	Resolved string `json:"resolved"`
	Link     bool   `json:"link"`
}

type npmDep struct {
	Version      string            `json:"version"`
	Dependencies map[string]npmDep `json:"dependencies"`
}

func npmEntries(data []byte, names []string) ([]entry, error) {
	var l npmLock
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("malformed JSON: %w", err)
	}
	if l.LockfileVersion == 0 {
		return nil, fmt.Errorf("no lockfileVersion: not a package-lock.json")
	}
	var out []entry
	if len(l.Packages) > 0 {
		for key, raw := range l.Packages {
			i := strings.LastIndex(key, "node_modules/")
			if i < 0 || !wanted(names, key[i+len("node_modules/"):]) {
				continue // decoded only when it may be the package
			}
			name := key[i+len("node_modules/"):]
			var p npmPackage
			if err := json.Unmarshal(raw, &p); err != nil {
				return nil, fmt.Errorf("packages[%q]: %w", key, err)
			}
			version := p.Version
			if p.Link {
				// A workspace package: its own entry holds the version.
				var target npmPackage
				_ = json.Unmarshal(l.Packages[p.Resolved], &target)
				version = target.Version
			}
			r := transitive
			switch parent := key[:i]; {
			case parent == "":
				r = root
			case !strings.Contains(parent, "node_modules/"):
				r = workspace
			}
			out = append(out, entry{name: name, version: npmVersion(version), rank: r})
		}
		return out, nil
	}
	var walk func(deps map[string]npmDep, r rank)
	walk = func(deps map[string]npmDep, r rank) {
		for name, d := range deps {
			if wanted(names, name) {
				out = append(out, entry{name: name, version: npmVersion(d.Version), rank: r})
			}
			walk(d.Dependencies, transitive)
		}
	}
	walk(l.Dependencies, root)
	return out, nil
}

// npmVersion reads an alias ("npm:@scope/name@1.2.3") as its version;
// other non-registry specs (file:, git URLs) are kept as they are.
func npmVersion(v string) string {
	if rest, ok := strings.CutPrefix(v, "npm:"); ok {
		if _, ver, ok := splitNameVersion(rest); ok {
			return ver
		}
	}
	return v
}
