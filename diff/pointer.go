package diff

import (
	"fmt"
	"strconv"
	"strings"
)

// Pattern is a parsed JSON Pointer whose segments may be "*", matching any
// one segment. It names set arrays and ignored paths.
type Pattern []string

// ParsePointer splits a JSON Pointer (RFC 6901) into unescaped segments.
// "" is the whole document.
func ParsePointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, fmt.Errorf("JSON Pointer %q must start with /", p)
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		if !strings.Contains(s, "~") {
			continue
		}
		var b strings.Builder
		for j := 0; j < len(s); j++ {
			if s[j] != '~' {
				b.WriteByte(s[j])
				continue
			}
			if j+1 == len(s) || (s[j+1] != '0' && s[j+1] != '1') {
				return nil, fmt.Errorf("JSON Pointer %q: ~ must be followed by 0 or 1", p)
			}
			if s[j+1] == '0' {
				b.WriteByte('~')
			} else {
				b.WriteByte('/')
			}
			j++
		}
		parts[i] = b.String()
	}
	return parts, nil
}

// ParsePattern parses a JSON Pointer in which a "*" segment matches any one
// segment.
func ParsePattern(p string) (Pattern, error) {
	segs, err := ParsePointer(p)
	return Pattern(segs), err
}

// MustPatterns parses fixed patterns; it panics on a bad one, so use it
// only for patterns written in code.
func MustPatterns(ps ...string) []Pattern {
	out := make([]Pattern, 0, len(ps))
	for _, p := range ps {
		pat, err := ParsePattern(p)
		if err != nil {
			panic(err)
		}
		out = append(out, pat)
	}
	return out
}

// Match reports whether segs is matched by the pattern.
func (p Pattern) Match(segs []string) bool {
	if len(p) != len(segs) {
		return false
	}
	for i := range p {
		if p[i] != "*" && p[i] != segs[i] {
			return false
		}
	}
	return true
}

// String writes the pattern back as a pointer.
func (p Pattern) String() string { return Pointer(p) }

func matchAny(ps []Pattern, segs []string) bool {
	for _, p := range ps {
		if p.Match(segs) {
			return true
		}
	}
	return false
}

// Pointer joins segments into an escaped JSON Pointer.
func Pointer(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		if strings.ContainsAny(s, "~/") {
			s = strings.ReplaceAll(s, "~", "~0")
			s = strings.ReplaceAll(s, "/", "~1")
		}
		b.WriteString(s)
	}
	return b.String()
}

// Get returns the value at pointer p in a decoded document.
func Get(doc any, p string) (any, bool) {
	segs, err := ParsePointer(p)
	if err != nil {
		return nil, false
	}
	return GetSegments(doc, segs)
}

// GetSegments returns the value at the given path in a decoded document.
func GetSegments(doc any, segs []string) (any, bool) {
	cur := doc
	for _, s := range segs {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[s]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 || i >= len(v) || strconv.Itoa(i) != s {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}
