package github

import (
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// view is a releases document as the rules read it. Documents come decoded
// from the store, so every field is read defensively.
type view struct {
	repo        string
	deployedRaw string
	deployed    *semver.Version // nil when not set or not a version
	releases    map[string]release
	advisories  map[string]map[string]any
}

// release is one release of a view.
type release struct {
	tag       string
	version   *semver.Version // nil for tags that carry no version
	pre       bool
	name      string
	published string
	url       string
	sha       string
	excerpt   string
	flags     []string
	hasFlags  bool
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// readView reads a document; nil or odd documents give an empty view.
func readView(doc any) view {
	d, _ := doc.(map[string]any)
	v := view{
		repo:        str(d, "repo"),
		deployedRaw: str(d, "deployed"),
		releases:    map[string]release{},
		advisories:  map[string]map[string]any{},
	}
	if dv, ok := ParseVersion(v.deployedRaw); ok {
		v.deployed = dv
	}
	rels, _ := d["releases"].(map[string]any)
	for tag, x := range rels {
		m, _ := x.(map[string]any)
		r := release{
			tag:       tag,
			name:      str(m, "name"),
			published: str(m, "published_at"),
			url:       str(m, "url"),
			sha:       str(m, "notes_sha256"),
			excerpt:   str(m, "notes_excerpt"),
		}
		r.pre, _ = m["prerelease"].(bool)
		if ver, ok := ParseVersion(tag); ok {
			r.version = ver
		}
		if fl, ok := m["notes_flags"].([]any); ok {
			r.hasFlags = true
			for _, f := range fl {
				if s, ok := f.(string); ok {
					r.flags = append(r.flags, s)
				}
			}
		}
		v.releases[tag] = r
	}
	advs, _ := d["advisories"].(map[string]any)
	for id, x := range advs {
		if m, ok := x.(map[string]any); ok {
			v.advisories[id] = m
		}
	}
	return v
}

// tags lists the view's release tags in a stable order.
func (v view) tags() []string {
	out := make([]string, 0, len(v.releases))
	for t := range v.releases {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// above reports whether r is newer than the deployed version. Without a
// deployed version every release counts; a tag with no version never does
// once one is set.
func (v view) above(r release) bool {
	if v.deployed == nil {
		return true
	}
	return r.version != nil && r.version.GreaterThan(v.deployed)
}

// newMajor reports whether r is a stable release of a major above the
// deployed one.
func (v view) newMajor(r release) bool {
	return v.deployed != nil && r.version != nil && stable(r.version, r.pre) && r.version.Major() > v.deployed.Major()
}

// kinds are the marker kinds of a release: the stored flags, or, for a
// document written without them, those found in the excerpt.
func (r release) kinds() []string {
	if r.hasFlags {
		return r.flags
	}
	return flagsOf(classify(r.excerpt))
}

// has reports whether r carries any of the kinds.
func (r release) has(kinds ...string) []string {
	var out []string
	for _, k := range r.kinds() {
		for _, w := range kinds {
			if k == w {
				out = append(out, k)
			}
		}
	}
	return out
}

// markedLines returns the excerpt's lines of the given kinds, for a
// finding's excerpt, bounded.
func (r release) markedLines(kinds ...string) []marker {
	var out []marker
	for _, m := range classify(r.excerpt) {
		for _, k := range kinds {
			if m.kind == k {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// excerptOf joins marked lines, or falls back to the start of the notes.
func excerptOf(r release, ms []marker) string {
	var b strings.Builder
	seen := map[int]bool{}
	for _, m := range ms {
		if seen[m.line] {
			continue
		}
		seen[m.line] = true
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(m.text)
		if b.Len() > 1200 {
			break
		}
	}
	if b.Len() == 0 {
		return clean(r.excerpt, 500)
	}
	return clean(b.String(), 1500)
}

// day shortens an RFC 3339 time to its date for titles and details.
func day(ts string) string {
	if len(ts) >= 10 {
		return ts[:10]
	}
	return ts
}
