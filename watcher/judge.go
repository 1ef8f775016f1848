package watcher

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/driftwatch/driftwatch/diff"
)

// judgement builds what the rules see: the new document and the one before
// it with the changes between them; for an unchanged document, the newest
// one twice, unless it was never judged (unjudged), when it is judged as
// the change that stored it.
func (e *Engine) judgement(ctx context.Context, rt *Runtime, snap *NewSnapshot, body []byte, changes []diff.Change,
	baseline, unjudged bool, loadLatest func() (*Snapshot, error), peers Peers, now time.Time) (*Judgement, error) {
	j := &Judgement{Source: rt.Source, Changes: changes, Baseline: baseline, Now: now, Peers: peers}
	var err error
	if snap != nil {
		if j.New, err = diff.Decode(body); err != nil {
			return nil, err
		}
		if !baseline {
			prev, err := loadLatest()
			if err != nil {
				return nil, err
			}
			j.OldAt = prev.FetchedAt
			if j.Old, err = diff.Decode(prev.Body); err != nil {
				return nil, err
			}
		}
	} else {
		cur, err := loadLatest()
		if err != nil {
			return nil, err
		}
		if j.New, err = diff.Decode(cur.Body); err != nil {
			return nil, err
		}
		if !unjudged {
			j.OldAt = cur.FetchedAt
			if j.Old, err = diff.Decode(cur.Body); err != nil {
				return nil, err
			}
		} else if prev, err := e.Store.PreviousSnapshot(ctx, rt.Source.Name, cur.ID); errors.Is(err, ErrNotFound) {
			j.Baseline = true
		} else if err != nil {
			return nil, err
		} else {
			j.OldAt = prev.FetchedAt
			if j.Old, err = diff.Decode(prev.Body); err != nil {
				return nil, err
			}
			if j.Changes, err = diff.Diff(prev.Body, cur.Body, diff.Options{Sets: rt.Options.Sets}); err != nil {
				return nil, err
			}
		}
	}
	open, err := e.Store.Findings(ctx, FindingFilter{Sources: []string{rt.Source.Name}, States: []State{Open, Acked}})
	j.Open = unfold(open)
	return j, err
}

// unfold lists, beside each open finding, the findings folded into it, so
// the rules that raised them see them as their own and carry them forward.
func unfold(open []Finding) []Finding {
	out := open
	for _, f := range open {
		for _, g := range f.Folded {
			g.State, g.Source = f.State, f.Source
			out = append(out, g)
		}
	}
	return out
}

// judge runs every rule; a panicking rule fails the whole judgement so
// that no finding is resolved by mistake.
func (e *Engine) judge(rt *Runtime, j *Judgement) (out []Finding, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("rule panic: %v", r)
		}
	}()
	seen := map[string]bool{}
	var folders []Folder
	var by []int // the index in folders of the rule of each finding, -1 for others
	for _, r := range rt.Rules {
		fi := -1
		if fr, ok := r.(Folder); ok {
			folders = append(folders, fr)
			fi = len(folders) - 1
		}
		for _, f := range r.Judge(j) {
			f.Source = rt.Source.Name
			f.Also, f.Folded = nil, nil
			fp := f.Fingerprint()
			if seen[fp] {
				continue
			}
			seen[fp] = true
			out = append(out, f)
			by = append(by, fi)
		}
	}
	out = fold(out, by, folders)
	if rt.Link != nil {
		for i := range out {
			rt.Link(j, &out[i])
		}
	}
	return out, nil
}

// fold merges each finding of a plain rule into every finding of a Folder
// that claims the same cause; a merged finding is reported once, by the
// folder's finding.
func fold(fs []Finding, by []int, folders []Folder) []Finding {
	if len(folders) == 0 {
		return fs
	}
	gone := make([]bool, len(fs))
	for i := range fs {
		if by[i] < 0 {
			continue
		}
		for k := range fs {
			if by[k] >= 0 {
				continue
			}
			other := fs[k]
			if folders[by[i]].Fold(&fs[i], other) {
				fs[i].Folded = append(fs[i].Folded, other)
				if fs[i].Changed == nil && other.Changed != nil {
					// Who made the change is said once, on the finding shown.
					fs[i].Changed = other.Changed
					if t := other.Changed.Text(); !strings.Contains(fs[i].Detail, t) {
						fs[i].Detail = strings.TrimSpace(fs[i].Detail + "\n" + t)
					}
				}
				if !slices.Contains(fs[i].Also, other.Rule) && other.Rule != fs[i].Rule {
					fs[i].Also = append(fs[i].Also, other.Rule)
				}
				gone[k] = true
			}
		}
	}
	out := fs[:0:0]
	for i, f := range fs {
		if !gone[i] {
			out = append(out, f)
		}
	}
	return out
}

// NewPeers reads the footprints of the sources' newest stored documents,
// once, when a rule first asks.
func NewPeers(ctx context.Context, st Store, sources []*Runtime) Peers {
	return &peerCache{st: st, sources: sources, ctx: ctx}
}

// peerCache reads other sources' footprints once per poll.
type peerCache struct {
	st      Store
	sources []*Runtime
	ctx     context.Context
	once    sync.Once
	fps     []Footprint
}

func (p *peerCache) Footprints() []Footprint {
	p.once.Do(func() {
		for _, rt := range p.sources {
			if rt.Footprint == nil {
				continue
			}
			s, err := p.st.LatestSnapshot(p.ctx, rt.Source.Name)
			if err != nil {
				continue
			}
			doc, err := diff.Decode(s.Body)
			if err != nil {
				continue
			}
			fp := rt.Footprint(doc)
			fp.Source = rt.Source.Name
			p.fps = append(p.fps, fp)
		}
	})
	return p.fps
}
