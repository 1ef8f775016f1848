package watcher

import (
	"context"
	"errors"
	"fmt"
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
			if j.Old, err = diff.Decode(cur.Body); err != nil {
				return nil, err
			}
		} else if prev, err := e.Store.PreviousSnapshot(ctx, rt.Source.Name, cur.ID); errors.Is(err, ErrNotFound) {
			j.Baseline = true
		} else if err != nil {
			return nil, err
		} else {
			if j.Old, err = diff.Decode(prev.Body); err != nil {
				return nil, err
			}
			if j.Changes, err = diff.Diff(prev.Body, cur.Body, diff.Options{Sets: rt.Options.Sets}); err != nil {
				return nil, err
			}
		}
	}
	j.Open, err = e.Store.Findings(ctx, FindingFilter{Sources: []string{rt.Source.Name}, States: []State{Open, Acked}})
	return j, err
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
	for _, r := range rt.Rules {
		for _, f := range r.Judge(j) {
			f.Source = rt.Source.Name
			fp := f.Fingerprint()
			if seen[fp] {
				continue
			}
			seen[fp] = true
			out = append(out, f)
		}
	}
	return out, nil
}

// peerCache loads other sources' newest documents once per poll.
type peerCache struct {
	e    *Engine
	ctx  context.Context
	mu   sync.Mutex
	docs map[string]any
}

func (p *peerCache) Names() []Source {
	out := make([]Source, len(p.e.Sources))
	for i, rt := range p.e.Sources {
		out[i] = rt.Source
	}
	return out
}

func (p *peerCache) Latest(name string) (any, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if d, ok := p.docs[name]; ok {
		return d, d != nil
	}
	var doc any
	if s, err := p.e.Store.LatestSnapshot(p.ctx, name); err == nil {
		doc, _ = diff.Decode(s.Body)
	}
	p.docs[name] = doc
	return doc, doc != nil
}
