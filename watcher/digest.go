package watcher

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/diff"
)

// digestChanges is how many plain changes a digest lists per source.
const digestChanges = 10

// BuildDigest summarises what changed in [since, until): per source, the
// new releases or feed entries, the other changes (first to last snapshot
// of the period), findings opened and resolved, and findings still open.
func (e *Engine) BuildDigest(ctx context.Context, since, until time.Time) (*Digest, error) {
	d := &Digest{Since: since.UTC(), Until: until.UTC()}
	snaps, err := e.Store.SnapshotsBetween(ctx, since, until)
	if err != nil {
		return nil, err
	}
	bySource := map[string]*DigestSource{}
	get := func(name string) *DigestSource {
		if s, ok := bySource[name]; ok {
			return s
		}
		s := &DigestSource{Name: name, Type: e.typeOf(ctx, name)}
		if it := e.itemsOf(name); it != nil {
			s.NewHeading = it.Heading
		}
		bySource[name] = s
		return s
	}
	first, last := map[string]SnapshotInfo{}, map[string]SnapshotInfo{}
	for _, s := range snaps {
		ds := get(s.Source)
		ds.Snapshots++
		if _, ok := first[s.Source]; !ok {
			first[s.Source] = s
		}
		last[s.Source] = s
	}
	for name, f := range first {
		if err := e.digestChanges(ctx, get(name), f, last[name]); err != nil {
			return nil, err
		}
	}
	silences := e.digestSilences(ctx)
	silenced := func(f *Finding) bool {
		_, _, ok := SilencedUntil(silences, f, e.now())
		return ok
	}
	changed, err := e.Store.FindingsChangedBetween(ctx, since, until)
	if err != nil {
		return nil, err
	}
	for _, f := range changed {
		ds := get(f.Source)
		inPeriod := func(t *time.Time) bool { return t != nil && !t.Before(since) && t.Before(until) }
		switch {
		case f.State == Resolved && inPeriod(f.ResolvedAt):
			ds.Resolved = append(ds.Resolved, f)
		case f.State == Open && inPeriod(&f.DetectedAt) && !silenced(&f):
			ds.Opened = append(ds.Opened, f)
		}
	}
	// Acknowledged and silenced findings are handled: counted, not listed
	// as needing attention.
	open, err := e.Store.Findings(ctx, FindingFilter{States: []State{Open, Acked}})
	if err != nil {
		return nil, err
	}
	for _, f := range open {
		switch {
		case f.State == Acked:
			get(f.Source).Acked++
		case silenced(&f):
			get(f.Source).Silenced++
		case f.DetectedAt.Before(since):
			ds := get(f.Source)
			ds.StillOpen = append(ds.StillOpen, f)
		}
	}
	for _, s := range bySource {
		if !s.Empty() {
			d.Sources = append(d.Sources, *s)
		}
	}
	sort.Slice(d.Sources, func(i, j int) bool { return d.Sources[i].Name < d.Sources[j].Name })
	return d, nil
}

// digestSilences lists the silences in force now; a digest built without
// them shows silenced findings as open, which errs on the loud side.
func (e *Engine) digestSilences(ctx context.Context) []Silence {
	ss, ok := e.Store.(SilenceStore)
	if !ok {
		return nil
	}
	silences, err := ss.ActiveSilences(ctx, e.now())
	if err != nil {
		e.logger().Warn("reading silences for the digest; listing silenced findings as open", "error", err.Error())
		return nil
	}
	return silences
}

func (e *Engine) typeOf(ctx context.Context, name string) string {
	for _, rt := range e.Sources {
		if rt.Source.Name == name {
			return rt.Source.Type
		}
	}
	st, err := e.Store.SourceState(ctx, name)
	if err == nil {
		return st.Type
	}
	return ""
}

// itemsOf returns the news collection of a configured source's documents.
func (e *Engine) itemsOf(name string) *Items {
	for _, rt := range e.Sources {
		if rt.Source.Name == name {
			return rt.Source.Items
		}
	}
	return nil
}

// digestChanges diffs the snapshot before the period against the last one
// in it. A source first seen in the period has a baseline, which is no
// change: what moved is what followed it.
func (e *Engine) digestChanges(ctx context.Context, ds *DigestSource, first, last SnapshotInfo) error {
	base, err := e.Store.PreviousSnapshot(ctx, ds.Name, first.ID)
	if errors.Is(err, ErrNotFound) {
		ds.Baseline = true
		ds.Snapshots--
		if first.ID == last.ID {
			return nil
		}
		base, err = e.Store.Snapshot(ctx, ds.Name, first.ID)
	}
	if err != nil {
		return err
	}
	end, err := e.Store.Snapshot(ctx, ds.Name, last.ID)
	if err != nil {
		return err
	}
	var sets []diff.Pattern
	for _, rt := range e.Sources {
		if rt.Source.Name == ds.Name {
			sets = rt.Options.Sets
		}
	}
	changes, err := diff.Diff(base.Body, end.Body, diff.Options{Sets: sets})
	if err != nil {
		return err
	}
	endDoc, _ := diff.Decode(end.Body)
	for _, c := range changes {
		if item, ok := newItem(e.itemsOf(ds.Name), c, endDoc); ok {
			ds.New = append(ds.New, item)
			continue
		}
		ds.ChangesTotal++
		if len(ds.Changes) < digestChanges {
			ds.Changes = append(ds.Changes, c)
		}
	}
	return nil
}

// newItem recognises a member of the news collection (a release, a feed
// entry) that appeared.
func newItem(items *Items, c diff.Change, doc any) (DigestItem, bool) {
	if items == nil || c.Op != diff.Added {
		return DigestItem{}, false
	}
	segs, err := diff.ParsePointer(c.Path)
	if err != nil || len(segs) != 2 {
		return DigestItem{}, false
	}
	if segs[0] != items.Member {
		return DigestItem{}, false
	}
	item := DigestItem{Key: segs[1], Title: segs[1]}
	if m, ok := diff.GetSegments(doc, segs); ok {
		if obj, ok := m.(map[string]any); ok {
			if t, ok := obj["title"].(string); ok && t != "" {
				item.Title = t
			} else if t, ok := obj["name"].(string); ok && t != "" && !strings.EqualFold(t, segs[1]) {
				item.Title = segs[1] + " — " + t
			}
			for _, k := range []string{"url", "link"} {
				if u, ok := obj[k].(string); ok {
					item.URL = u
				}
			}
		}
	}
	return item, true
}
