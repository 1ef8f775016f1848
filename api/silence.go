package api

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/routing"
	"github.com/driftwatch/driftwatch/watcher"
)

// Silences lists silences in force, or all of them.
func (l *Local) Silences(ctx context.Context, all bool) ([]Silence, error) {
	now := l.Now()
	ss, err := l.db.Silences(ctx, now, all)
	if err != nil {
		return nil, err
	}
	out := make([]Silence, len(ss))
	for i := range ss {
		out[i] = *silenceView(&ss[i], now)
	}
	return out, nil
}

// AddSilence validates and stores a silence.
func (l *Local) AddSilence(ctx context.Context, r SilenceRequest) (*Silence, error) {
	now := l.Now()
	s, err := r.silence(now)
	if err != nil {
		return nil, err
	}
	saved, err := l.db.AddSilenceNoticed(ctx, s, routing.Policy(l.cfg.Load()))
	if err != nil {
		return nil, err
	}
	return silenceView(&saved, now), nil
}

// silence checks a request: at least one matcher, valid globs, a comment,
// and an end in the future given by exactly one of For and Until.
func (r SilenceRequest) silence(now time.Time) (watcher.Silence, error) {
	s := watcher.Silence{Source: strings.TrimSpace(r.Source), Rule: strings.TrimSpace(r.Rule), Path: strings.TrimSpace(r.Path),
		Comment: strings.TrimSpace(r.Comment), Author: strings.TrimSpace(r.Author), CreatedAt: now}
	if s.Source == "" && s.Rule == "" && s.Path == "" {
		return s, errorf(Invalid, "a silence needs at least one matcher: `source`, `rule` or `path`")
	}
	for _, m := range []struct{ flag, glob string }{{"`source`", s.Source}, {"`rule`", s.Rule}, {"`path`", s.Path}} {
		if !validGlob(m.glob) {
			return s, errorf(Invalid, "%s %q: not a valid glob", m.flag, m.glob)
		}
	}
	if s.Comment == "" {
		return s, errorf(Invalid, "a silence needs `comment`: why it is muted")
	}
	if s.Author == "" {
		s.Author = "unknown"
	}
	switch {
	case r.For != "" && r.Until != "":
		return s, errorf(Invalid, "give `for` or `until`, not both")
	case r.For != "":
		d, err := ParseDuration(r.For)
		if err != nil {
			return s, errorf(Invalid, "`for`: %v", err)
		}
		s.EndsAt = now.Add(d)
	case r.Until != "":
		t, err := ParseTime(r.Until)
		if err != nil {
			return s, errorf(Invalid, "`until`: %v", err)
		}
		if !t.After(now) {
			return s, errorf(Invalid, "`until` %s is not in the future", r.Until)
		}
		s.EndsAt = t
	default:
		return s, errorf(Invalid, "a silence needs an end: `for` DURATION or `until` TIME")
	}
	return s, nil
}

// validGlob checks each JSON Pointer segment of a glob.
func validGlob(g string) bool {
	for _, seg := range strings.Split(g, "/") {
		if _, err := path.Match(seg, ""); err != nil {
			return false
		}
	}
	return true
}

// ExpireSilence ends a silence now.
func (l *Local) ExpireSilence(ctx context.Context, id int64) (*Silence, error) {
	now := l.Now()
	s, err := l.db.ExpireSilence(ctx, id, now)
	if errors.Is(err, watcher.ErrNotFound) {
		return nil, errorf(NotFound, "unknown silence %d", id)
	}
	if err != nil {
		return nil, err
	}
	return silenceView(&s, now), nil
}

// ParseTime reads RFC 3339 or a date (midnight UTC).
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: want RFC 3339 (2026-01-31T18:00:00Z) or a date (2026-01-31)", s)
}
