package config

import (
	"strconv"
	"strings"
)

// lines maps key paths such as "source[2].repo" or "notify.slack" to the
// line that declares them. BurntSushi/toml reports lines for syntax errors
// only, so unknown keys and bad values are located by this small scan of
// table headers and key lines.
type lines map[string]int

func locateLines(text string) lines {
	out := lines{}
	counts := map[string]int{} // array-of-tables path (with parent indices) -> count
	table := ""
	for i, raw := range strings.Split(text, "\n") {
		n := i + 1
		line := strings.TrimSpace(stripComment(raw))
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "[[") && strings.HasSuffix(line, "]]") {
			name := strings.TrimSpace(line[2 : len(line)-2])
			parent, last := splitLast(name)
			base := last
			if parent != "" {
				base = resolveParent(parent, counts) + "." + last
			}
			idx := counts[base]
			counts[base]++
			table = base + "[" + strconv.Itoa(idx) + "]"
			out[table] = n
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			table = strings.TrimSpace(line[1 : len(line)-1])
			if _, ok := out[table]; !ok {
				out[table] = n
			}
			continue
		}
		eq := strings.IndexByte(line, '=')
		if eq <= 0 {
			continue
		}
		key := strings.Trim(strings.TrimSpace(line[:eq]), `"'`)
		full := key
		if table != "" {
			full = table + "." + key
		}
		if _, ok := out[full]; !ok {
			out[full] = n
		}
	}
	return out
}

// resolveParent turns "source" into "source[k]" for the newest [[source]].
func resolveParent(parent string, counts map[string]int) string {
	if c := counts[parent]; c > 0 {
		return parent + "[" + strconv.Itoa(c-1) + "]"
	}
	return parent
}

func splitLast(name string) (string, string) {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return strings.TrimSpace(name[:i]), strings.TrimSpace(name[i+1:])
	}
	return "", name
}

// stripComment drops a # comment outside quotes.
func stripComment(s string) string {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return s[:i]
		}
	}
	return s
}

// line finds the line of a key path, falling back to its enclosing table.
func (l lines) line(path string) int {
	for path != "" {
		if n, ok := l[path]; ok {
			return n
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}
