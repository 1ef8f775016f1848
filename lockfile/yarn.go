package lockfile

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yarnEntries reads a yarn.lock: berry (yarn 2+) is YAML with a
// __metadata key; classic (yarn 1) is its own indented format.
func yarnEntries(data []byte, names []string) ([]entry, error) {
	if bytes.Contains(data[:min(len(data), 4096)], []byte("__metadata:")) {
		return berryEntries(data, names)
	}
	return classicEntries(data, names)
}

// descriptorName is the package a descriptor names: "react@^18",
// "@scope/pkg@npm:^1.0.0", "alias@npm:real@^1" (the alias).
func descriptorName(d string) string {
	name, _, _ := splitNameVersion(strings.Trim(strings.TrimSpace(d), `"`))
	return name
}

// berryEntry is one resolution of a berry lockfile.
type berryEntry struct {
	Version      string            `yaml:"version"`
	Resolution   string            `yaml:"resolution"`
	Dependencies map[string]string `yaml:"dependencies"`
}

// berryEntries ranks resolutions by the workspaces that ask for them: a
// workspace entry ("app@workspace:.") lists its dependencies with the
// ranges that appear in the other entries' keys.
func berryEntries(data []byte, names []string) ([]entry, error) {
	var raw map[string]yaml.Node
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("malformed YAML: %w", err)
	}
	entries := map[string]berryEntry{}
	asked := map[string]rank{} // "name@range" asked for by a workspace
	for key, n := range raw {
		if key == "__metadata" {
			continue
		}
		var e berryEntry
		if err := n.Decode(&e); err != nil {
			continue // an entry of another shape is not a package
		}
		entries[key] = e
		_, res, _ := splitNameVersion(e.Resolution)
		if !strings.HasPrefix(res, "workspace:") {
			continue
		}
		r := workspace
		if res == "workspace:." {
			r = root
		}
		for dep, rng := range e.Dependencies {
			for _, d := range []string{dep + "@" + rng, dep + "@npm:" + rng} {
				if asked[d] < r {
					asked[d] = r
				}
			}
		}
	}
	var out []entry
	for key, e := range entries {
		for _, d := range strings.Split(key, ",") {
			d = strings.TrimSpace(d)
			name := descriptorName(d)
			if !wanted(names, name) || strings.HasPrefix(e.Version, "0.0.0-use.local") {
				continue
			}
			out = append(out, entry{name: name, version: e.Version, rank: asked[d]})
		}
	}
	return out, nil
}

// classicEntries reads yarn 1's format: an unindented line of descriptors
// ending in ":", then indented fields such as `version "1.2.3"`. It does
// not say which entries the app asks for itself.
func classicEntries(data []byte, names []string) ([]entry, error) {
	var out []entry
	var current []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !strings.HasPrefix(line, " ") {
			current = current[:0]
			for _, d := range strings.Split(strings.TrimSuffix(line, ":"), ",") {
				if n := descriptorName(d); wanted(names, n) {
					current = append(current, n)
				}
			}
			continue
		}
		if len(current) == 0 {
			continue
		}
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "version" && strings.HasPrefix(line, "  version") {
			v, err := strconv.Unquote(f[1])
			if err != nil {
				v = strings.Trim(f[1], `"`)
			}
			for _, n := range current {
				out = append(out, entry{name: n, version: v, rank: transitive})
			}
			current = current[:0]
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return out, nil
}
