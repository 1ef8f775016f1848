package auth0

import (
	"strconv"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// The three shapes of change rule. Each finds new changes between Old and
// New (never on the baseline) and carries its open findings forward while
// the change still holds in New; a finding whose owner (client,
// connection, API) is gone is left to resolve, since the owner's own
// removal finding takes over.

// setRule watches members leaving sets: URLs, grants, enabled clients,
// scopes. Subject is the member.
type setRule struct {
	ruleInfo
	// sets lists the pointers of the watched sets in a document.
	sets func(doc any) []string
	// memberPath makes a finding's path the member's own pointer (for
	// sets that are objects keyed by member), not the set's.
	memberPath bool
	// skip reports that a member's removal is covered elsewhere.
	skip func(newDoc any, set, member string) bool
	// make builds the finding for a member gone from a set.
	make func(r ruleInfo, path, set, member string) watcher.Finding
	// adjust, when set, refines a finding by the new document (who owns
	// the set decides the category).
	adjust func(newDoc any, set string, f *watcher.Finding)
}

func (r *setRule) build(newDoc any, path, set, member string) watcher.Finding {
	f := r.make(r.ruleInfo, path, set, member)
	if r.adjust != nil {
		r.adjust(newDoc, set, &f)
	}
	return f
}

// Judge implements watcher.Rule.
func (r *setRule) Judge(j *watcher.Judgement) []watcher.Finding {
	var out []watcher.Finding
	seen := map[string]bool{}
	for _, f := range j.OpenOf(r.name) {
		set := f.Path
		if r.memberPath {
			set = parent(f.Path)
		}
		if unread(j.New, set) {
			out = append(out, carry(f))
			seen[f.Path+"\x00"+f.Subject] = true
			continue
		}
		if !r.holds(j.New, set, f.Subject) {
			continue
		}
		out = append(out, r.build(j.New, f.Path, set, f.Subject))
		seen[f.Path+"\x00"+f.Subject] = true
	}
	if j.Baseline || j.Old == nil {
		return sorted(out)
	}
	for _, set := range r.sets(j.Old) {
		if !exists(j.New, ownerPath(set)) {
			continue
		}
		now := map[string]bool{}
		for _, m := range stringsAt(j.New, set) {
			now[m] = true
		}
		for _, m := range stringsAt(j.Old, set) {
			path := set
			if r.memberPath {
				path = set + diff.Pointer([]string{m})
			}
			if now[m] || seen[path+"\x00"+m] || (r.skip != nil && r.skip(j.New, set, m)) {
				continue
			}
			seen[path+"\x00"+m] = true
			out = append(out, r.build(j.New, path, set, m))
		}
	}
	return sorted(out)
}

// holds reports whether member is still missing from set in doc, and its
// owner is still there.
func (r *setRule) holds(doc any, set, member string) bool {
	if !exists(doc, ownerPath(set)) || (r.skip != nil && r.skip(doc, set, member)) {
		return false
	}
	for _, m := range stringsAt(doc, set) {
		if m == member {
			return false
		}
	}
	return true
}

// keyRule watches members of a collection disappearing: clients,
// connections, APIs. Path is the member's pointer; Subject is empty.
type keyRule struct {
	ruleInfo
	collection string
	// skip, when set, reports that a member gone from its key is covered
	// elsewhere (a client grant re-keyed because its client was renamed).
	skip func(newDoc any, old map[string]any) bool
	make func(r ruleInfo, path, key string, old map[string]any, newDoc any) watcher.Finding
}

// Judge implements watcher.Rule.
func (r *keyRule) Judge(j *watcher.Judgement) []watcher.Finding {
	var out []watcher.Finding
	if out, ok := carryUnread(j, r.name, "/"+r.collection); ok {
		return sorted(out)
	}
	now := object(j.New, r.collection)
	seen := map[string]bool{}
	for _, f := range j.OpenOf(r.name) {
		segs := segments(f.Path)
		if len(segs) != 2 {
			continue
		}
		if _, back := now[segs[1]]; back {
			continue
		}
		out = append(out, carry(f))
		seen[f.Path] = true
	}
	if j.Baseline || j.Old == nil {
		return sorted(out)
	}
	for key, v := range object(j.Old, r.collection) {
		path := diff.Pointer([]string{r.collection, key})
		if _, ok := now[key]; ok || seen[path] {
			continue
		}
		old, _ := v.(map[string]any)
		if r.skip != nil && r.skip(j.New, old) {
			continue
		}
		out = append(out, r.make(r.ruleInfo, path, key, old, j.New))
	}
	return sorted(out)
}

// valueRule watches values changing: auth methods, algorithms, client
// settings, session lifetimes, tenant flags. Old holds the value before
// the change; the finding holds until the value is back to it.
type valueRule struct {
	ruleInfo
	// paths lists the watched value pointers of a document.
	paths func(doc any) []string
	// counts reports whether a change from old to new is a finding, given
	// the new document; nil counts every change.
	counts func(newDoc any, path, old, new string) bool
	make   func(r ruleInfo, path, old, new string) watcher.Finding
}

// Judge implements watcher.Rule.
func (r *valueRule) Judge(j *watcher.Judgement) []watcher.Finding {
	var out []watcher.Finding
	seen := map[string]bool{}
	for _, f := range j.OpenOf(r.name) {
		if unread(j.New, f.Path) {
			out = append(out, carry(f))
			seen[f.Path] = true
			continue
		}
		if !exists(j.New, ownerPath(f.Path)) {
			continue
		}
		// Undone (or no longer counting) resolves the finding; the step
		// back is not a new change either.
		seen[f.Path] = true
		cur := show(j.New, f.Path)
		if cur == f.Old || (r.counts != nil && !r.counts(j.New, f.Path, f.Old, cur)) {
			continue
		}
		out = append(out, r.make(r.ruleInfo, f.Path, f.Old, cur))
	}
	if j.Baseline || j.Old == nil {
		return sorted(out)
	}
	for _, p := range r.paths(j.Old) {
		if seen[p] || !exists(j.New, ownerPath(p)) {
			continue
		}
		o, n := show(j.Old, p), show(j.New, p)
		if o == n || (r.counts != nil && !r.counts(j.New, p, o, n)) {
			continue
		}
		seen[p] = true
		out = append(out, r.make(r.ruleInfo, p, o, n))
	}
	return sorted(out)
}

// clientFields lists, for every client of doc, the pointers of fields.
func clientFields(fields ...[]string) func(doc any) []string {
	suffixes := make([]string, len(fields))
	for i, f := range fields {
		suffixes[i] = diff.Pointer(f)
	}
	return func(doc any) []string {
		clients := object(doc, "clients")
		out := make([]string, 0, len(clients)*len(fields))
		for _, k := range keys(clients) {
			base := "/clients/" + escape(k)
			for _, s := range suffixes {
				out = append(out, base+s)
			}
		}
		return out
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
