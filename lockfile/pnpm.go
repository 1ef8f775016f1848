package lockfile

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// pnpmLock is the part of pnpm-lock.yaml read. A project without
// workspaces keeps its dependencies at the top (v5, v6); workspaces, and
// every v9 file, keep them under importers.
type pnpmLock struct {
	LockfileVersion any                     `yaml:"lockfileVersion"`
	Importers       map[string]pnpmImporter `yaml:"importers"`
	Packages        map[string]pnpmPackage  `yaml:"packages"`
	Dependencies    map[string]pnpmDep      `yaml:"dependencies"`
	DevDependencies map[string]pnpmDep      `yaml:"devDependencies"`
	Optional        map[string]pnpmDep      `yaml:"optionalDependencies"`
}

type pnpmImporter struct {
	Dependencies    map[string]pnpmDep `yaml:"dependencies"`
	DevDependencies map[string]pnpmDep `yaml:"devDependencies"`
	Optional        map[string]pnpmDep `yaml:"optionalDependencies"`
}

type pnpmPackage struct {
	Name    string `yaml:"name"`
	Version string `yaml:"version"`
}

// pnpmDep is a dependency's resolved version: a plain string before v6,
// {specifier, version} from v6 (and in 5.4 with inline specifiers).
type pnpmDep struct{ Version string }

func (d *pnpmDep) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		d.Version = n.Value
		return nil
	}
	var v struct {
		Version string `yaml:"version"`
	}
	if err := n.Decode(&v); err != nil {
		return err
	}
	d.Version = v.Version
	return nil
}

func pnpmEntries(data []byte, names []string) ([]entry, error) {
	var l pnpmLock
	if err := yaml.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("malformed YAML: %w", err)
	}
	if l.LockfileVersion == nil {
		return nil, fmt.Errorf("no lockfileVersion: not a pnpm-lock.yaml")
	}
	major, _ := strconv.Atoi(strings.SplitN(strings.Trim(fmt.Sprint(l.LockfileVersion), "'\" "), ".", 2)[0])
	var out []entry
	add := func(deps map[string]pnpmDep, r rank) {
		for name, d := range deps {
			if !wanted(names, name) || strings.HasPrefix(d.Version, "link:") {
				continue
			}
			out = append(out, entry{name: name, version: l.resolve(name, d.Version, major), rank: r})
		}
	}
	for _, deps := range []map[string]pnpmDep{l.Dependencies, l.DevDependencies, l.Optional} {
		add(deps, root)
	}
	for dir, imp := range l.Importers {
		r := workspace
		if dir == "." {
			r = root
		}
		for _, deps := range []map[string]pnpmDep{imp.Dependencies, imp.DevDependencies, imp.Optional} {
			add(deps, r)
		}
	}
	for key, p := range l.Packages {
		name, version := pnpmKey(key, major)
		if p.Name != "" {
			name = p.Name
		}
		if p.Version != "" {
			version = p.Version
		}
		if wanted(names, name) {
			out = append(out, entry{name: name, version: version, rank: transitive})
		}
	}
	return out, nil
}

// resolve turns an importer's reference into a version: peer suffixes
// dropped ("4.0.1(next@15.0.0)", v5's "2.1.1_react@18.2.0"); a reference
// that is not a version (a file: tarball, an alias) is looked up in
// packages, whose entry carries the version.
func (l *pnpmLock) resolve(name, ref string, major int) string {
	for _, key := range []string{name + "@" + ref, "/" + name + "@" + ref, "/" + name + "/" + ref, ref, "/" + ref} {
		if p, ok := l.Packages[key]; ok && p.Version != "" {
			return p.Version
		}
	}
	v := pnpmStrip(ref, major)
	if v != ref {
		for _, key := range []string{name + "@" + v, "/" + name + "@" + v} {
			if p, ok := l.Packages[key]; ok && p.Version != "" {
				return p.Version
			}
		}
	}
	return v
}

// pnpmStrip removes the peer-dependency suffix of a version.
func pnpmStrip(v string, major int) string {
	v, _, _ = strings.Cut(v, "(")
	if major > 0 && major < 6 {
		v, _, _ = strings.Cut(v, "_")
	}
	return v
}

// pnpmKey reads a packages key: "/name/1.2.3_peer" (v5),
// "/name@1.2.3(peer)" (v6), "name@1.2.3" (v9).
func pnpmKey(key string, major int) (name, version string) {
	k := strings.TrimPrefix(key, "/")
	if major > 0 && major < 6 {
		k, _, _ = strings.Cut(k, "_")
		i := strings.LastIndex(k, "/")
		if i <= 0 {
			return k, ""
		}
		return k[:i], k[i+1:]
	}
	k, _, _ = strings.Cut(k, "(")
	name, version, _ = splitNameVersion(k)
	return name, version
}
