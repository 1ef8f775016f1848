package watcher

import (
	"context"
	"path"
	"strings"
	"time"
)

// Silence mutes findings for a while, Alertmanager's way: a finding that
// matches every matcher set (source, rule, path glob) sends no notice and
// does not fail `check` until the silence ends. When it ends, the finding
// is active again: its held notices are delivered if they still apply.
type Silence struct {
	ID int64
	// Source, Rule and Path are globs; an empty one matches anything. At
	// least one is set. In Path, `*` matches within one JSON Pointer
	// segment and `**` any number of segments.
	Source, Rule, Path string
	Comment            string
	Author             string
	CreatedAt          time.Time
	EndsAt             time.Time
}

// Active reports whether the silence mutes findings at now.
func (s *Silence) Active(now time.Time) bool {
	return now.Before(s.EndsAt) && !now.Before(s.CreatedAt.Truncate(time.Second))
}

// Matches reports whether the silence's matchers all hold for f.
func (s *Silence) Matches(f *Finding) bool {
	if s.Source == "" && s.Rule == "" && s.Path == "" {
		return false
	}
	return globMatch(s.Source, f.Source) && globMatch(s.Rule, f.Rule) && PathMatch(s.Path, f.Path)
}

// globMatch matches a name against a shell glob; empty matches anything.
func globMatch(pattern, s string) bool {
	if pattern == "" {
		return true
	}
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}

// PathMatch matches a JSON Pointer against a glob of pointer segments:
// `*` (and any path.Match pattern) within one segment, `**` for any
// number of segments. An empty pattern matches anything.
func PathMatch(pattern, pointer string) bool {
	if pattern == "" {
		return true
	}
	return segmentsMatch(strings.Split(pattern, "/"), strings.Split(pointer, "/"))
}

func segmentsMatch(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(segs); i++ {
				if segmentsMatch(pat[1:], segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], segs[0]); err != nil || !ok {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}

// SilencedUntil returns when the last active silence matching f ends.
func SilencedUntil(silences []Silence, f *Finding, now time.Time) (time.Time, *Silence, bool) {
	var until time.Time
	var by *Silence
	for i := range silences {
		s := &silences[i]
		if s.Active(now) && s.Matches(f) && s.EndsAt.After(until) {
			until, by = s.EndsAt, s
		}
	}
	return until, by, by != nil
}

// SilenceStore is implemented by stores that keep silences; delivery
// holds the notices of silenced findings when the store is one.
type SilenceStore interface {
	// ActiveSilences lists the silences in force at now.
	ActiveSilences(ctx context.Context, now time.Time) ([]Silence, error)
}

// holdSilenced takes the notices of silenced findings out of a claimed
// batch and gives them back to the outbox, due when their silence ends.
// Digests are never held.
func (e *Engine) holdSilenced(ctx context.Context, owner string, claimed []Notice) []Notice {
	ss, ok := e.Store.(SilenceStore)
	if !ok {
		return claimed
	}
	now := e.now()
	silences, err := ss.ActiveSilences(ctx, now)
	if err != nil {
		e.logger().Warn("reading silences; delivering as if none", "error", err.Error())
		return claimed
	}
	if len(silences) == 0 {
		return claimed
	}
	held := map[time.Time][]int64{}
	keep := claimed[:0:0]
	for _, n := range claimed {
		if n.Finding != nil && n.Kind != NoticeSilenced {
			// The notice that a finding was silenced is the one that
			// gets through: it edits the finding's message to say so.
			if until, _, ok := SilencedUntil(silences, n.Finding, now); ok {
				held[until] = append(held[until], n.ID)
				continue
			}
		}
		keep = append(keep, n)
	}
	for until, ids := range held {
		if err := e.Store.ReleaseNotices(ctx, owner, ids, until); err != nil {
			e.logger().Error("holding silenced notices", "error", err.Error())
		}
	}
	return keep
}
