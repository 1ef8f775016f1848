package api

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers"
	"github.com/driftwatch/driftwatch/routing"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// Local answers from the store, with the config naming the sources.
type Local struct {
	db  *store.DB
	cfg atomic.Pointer[config.Config]
	// Now is the clock; tests replace it.
	Now func() time.Time
}

var _ Service = (*Local)(nil)

// NewLocal returns the console over db, for the sources of cfg.
func NewLocal(db *store.DB, cfg *config.Config) *Local {
	l := &Local{db: db, Now: time.Now}
	l.cfg.Store(cfg)
	return l
}

// SetConfig swaps the config (the daemon reloads it on SIGHUP).
func (l *Local) SetConfig(cfg *config.Config) { l.cfg.Store(cfg) }

func (l *Local) config() *config.Config { return l.cfg.Load() }

// Check is the pre-deploy verdict: open findings at or above the
// threshold fail it unless a silence mutes them; with a max age, so does
// a source not fetched successfully within it.
func (l *Local) Check(ctx context.Context, q CheckQuery) (*CheckResult, error) {
	cfg := l.config()
	for _, s := range q.Sources {
		if _, ok := cfg.Source(s); !ok {
			return nil, errorf(Invalid, "unknown source %q", s)
		}
	}
	if q.FailOn == 0 {
		q.FailOn = watcher.Breaking
	}
	now := l.Now()
	if _, err := l.db.ExpireAcks(ctx, now); err != nil {
		return nil, err
	}
	// Findings of a source no longer configured do not fail the gate,
	// even before a poll retires them.
	scope := q.Sources
	if len(scope) == 0 {
		for _, s := range cfg.Sources {
			scope = append(scope, s.Name)
		}
	}
	var fs []watcher.Finding
	var err error
	if len(scope) > 0 {
		fs, err = l.db.Findings(ctx, watcher.FindingFilter{States: []watcher.State{watcher.Open}, Sources: scope, MinSeverity: q.FailOn})
	}
	if err != nil {
		return nil, err
	}
	var deployed []DeployedVersion
	var unjudged []StaleSource
	if len(q.Deployed) > 0 {
		if fs, deployed, unjudged, err = l.judgeDeployed(ctx, cfg, q, fs); err != nil {
			return nil, err
		}
	}
	views, err := l.annotate(ctx, fs, now)
	if err != nil {
		return nil, err
	}
	res := &CheckResult{Status: "pass", FailOn: q.FailOn.String(), Findings: []Finding{}, Silenced: []Finding{}, Stale: []StaleSource{},
		Deployed: deployed}
	for _, f := range views {
		if f.Silence != nil {
			res.Silenced = append(res.Silenced, f)
		} else {
			res.Findings = append(res.Findings, f)
		}
	}
	names := q.Sources
	if len(names) == 0 {
		for _, s := range cfg.Sources {
			names = append(names, s.Name)
		}
	}
	res.Sources = len(names)
	if q.MaxAge > 0 {
		res.MaxAge = q.maxAgeText()
		for _, name := range names {
			st, err := l.db.SourceState(ctx, name)
			if err != nil {
				return nil, err
			}
			if st.LastSuccessAt == nil || now.Sub(*st.LastSuccessAt) > q.MaxAge {
				res.Stale = append(res.Stale, StaleSource{Source: name, LastSuccess: timePtr(st.LastSuccessAt)})
			}
		}
	}
	for _, u := range unjudged {
		if !slices.ContainsFunc(res.Stale, func(s StaleSource) bool { return s.Source == u.Source }) {
			res.Stale = append(res.Stale, u)
		}
	}
	if len(res.Findings) > 0 || len(res.Stale) > 0 {
		res.Status = "fail"
	}
	return res, nil
}

// Findings lists findings by state, source and lowest severity.
func (l *Local) Findings(ctx context.Context, q FindingQuery) ([]Finding, error) {
	var states []watcher.State
	switch q.State {
	case "", "open":
		states = []watcher.State{watcher.Open}
	case "acked", "resolved":
		states = []watcher.State{watcher.State(q.State)}
	case "all":
	default:
		return nil, errorf(Invalid, "`state` %q: want open, acked, resolved or all", q.State)
	}
	for _, s := range q.Sources {
		if _, err := l.sourceType(ctx, s); err != nil {
			return nil, err
		}
	}
	now := l.Now()
	if _, err := l.db.ExpireAcks(ctx, now); err != nil {
		return nil, err
	}
	fs, err := l.db.Findings(ctx, watcher.FindingFilter{States: states, Sources: q.Sources, MinSeverity: q.Severity})
	if err != nil {
		return nil, err
	}
	return l.annotate(ctx, fs, now)
}

// Finding returns one finding by ID or fingerprint.
func (l *Local) Finding(ctx context.Context, ref string) (*Finding, error) {
	now := l.Now()
	if _, err := l.db.ExpireAcks(ctx, now); err != nil {
		return nil, err
	}
	ids, err := l.db.ResolveRefs(ctx, []string{ref})
	if errors.Is(err, watcher.ErrNotFound) {
		return nil, errorf(NotFound, "unknown finding ID %s (see driftwatch findings --state all)", ref)
	}
	if err != nil {
		return nil, err
	}
	fs, err := l.db.Findings(ctx, watcher.FindingFilter{ID: ids})
	if err != nil {
		return nil, err
	}
	if len(fs) != 1 {
		return nil, errorf(NotFound, "unknown finding ID %s (see driftwatch findings --state all)", ref)
	}
	views, err := l.annotate(ctx, fs, now)
	if err != nil {
		return nil, err
	}
	return &views[0], nil
}

// annotate adds fingerprints, ack records and muting silences.
func (l *Local) annotate(ctx context.Context, fs []watcher.Finding, now time.Time) ([]Finding, error) {
	out := make([]Finding, len(fs))
	if len(fs) == 0 {
		return out, nil
	}
	ids := make([]int64, len(fs))
	for i := range fs {
		ids[i] = fs[i].ID
	}
	var acks map[int64]store.Ack
	var err error
	if len(ids) <= 500 {
		acks, err = l.db.Acks(ctx, ids)
	} else {
		acks, err = l.db.Acks(ctx, nil)
	}
	if err != nil {
		return nil, err
	}
	silences, err := l.db.ActiveSilences(ctx, now)
	if err != nil {
		return nil, err
	}
	for i := range fs {
		f := Finding{Finding: fs[i], Fingerprint: fs[i].Fingerprint()}
		// An expired ack is shown on the finding it was given to, not on
		// a later reopening of it.
		if a, ok := acks[f.ID]; ok && (f.State == watcher.Acked ||
			(a.ExpiredAt != nil && f.State == watcher.Open && !a.CreatedAt.Before(f.DetectedAt))) {
			f.Ack = &Ack{Author: a.Author, Note: a.Note, CreatedAt: watcher.FormatTime(a.CreatedAt),
				ExpiresAt: timePtr(a.ExpiresAt), Expired: a.ExpiredAt != nil}
		}
		if f.State != watcher.Resolved {
			if _, s, ok := watcher.SilencedUntil(silences, &f.Finding, now); ok {
				f.Silence = silenceView(s, now)
			}
		}
		out[i] = f
	}
	return out, nil
}

func silenceView(s *watcher.Silence, now time.Time) *Silence {
	return &Silence{ID: s.ID, Source: s.Source, Rule: s.Rule, Path: s.Path, Comment: s.Comment, Author: s.Author,
		CreatedAt: watcher.FormatTime(s.CreatedAt), EndsAt: watcher.FormatTime(s.EndsAt), Active: s.Active(now)}
}

// Sources lists the configured sources, then any others the store has
// seen, with their fetch status.
func (l *Local) Sources(ctx context.Context) ([]SourceStatus, error) {
	cfg := l.config()
	states, err := l.db.SourceStates(ctx)
	if err != nil {
		return nil, err
	}
	byName := map[string]watcher.SourceState{}
	for _, s := range states {
		byName[s.Name] = s
	}
	open, err := l.db.Findings(ctx, watcher.FindingFilter{States: []watcher.State{watcher.Open}})
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, f := range open {
		counts[f.Source]++
	}
	var out []SourceStatus
	add := func(name, typ string, configured bool) {
		st := byName[name]
		if typ == "" {
			typ = st.Type
		}
		s := SourceStatus{Name: name, Type: typ, Configured: configured, LastAttempt: timePtr(st.LastAttemptAt),
			LastSuccess: timePtr(st.LastSuccessAt), ConsecutiveFailures: st.ConsecutiveFailures,
			FailingSince: timePtr(st.FailingSince), OpenFindings: counts[name]}
		if st.ConsecutiveFailures > 0 {
			s.LastError = st.LastError
		}
		out = append(out, s)
		delete(byName, name)
	}
	for _, s := range cfg.Sources {
		add(s.Name, s.Type, true)
	}
	for _, s := range states {
		if _, ok := byName[s.Name]; ok {
			add(s.Name, s.Type, false)
		}
	}
	return out, nil
}

// sourceType checks that a source is configured or at least stored.
func (l *Local) sourceType(ctx context.Context, name string) (string, error) {
	if s, ok := l.config().Source(name); ok {
		return s.Type, nil
	}
	st, err := l.db.SourceState(ctx, name)
	if err != nil {
		return "", err
	}
	if st.Type == "" {
		return "", errorf(NotFound, "unknown source %q", name)
	}
	return st.Type, nil
}

// History lists a source's snapshots, newest first.
func (l *Local) History(ctx context.Context, source string) (*History, error) {
	if _, err := l.sourceType(ctx, source); err != nil {
		return nil, err
	}
	snaps, err := l.db.Snapshots(ctx, source)
	if err != nil {
		return nil, err
	}
	h := &History{Source: source, Snapshots: make([]SnapshotInfo, len(snaps))}
	for i, s := range snaps {
		h.Snapshots[i] = SnapshotInfo{ID: s.ID, FetchedAt: watcher.FormatTime(s.FetchedAt), Hash: s.Hash, Changes: s.Changes}
	}
	return h, nil
}

// Snapshot returns one stored document (id 0: the newest).
func (l *Local) Snapshot(ctx context.Context, source string, id int64) (*Snapshot, error) {
	if _, err := l.sourceType(ctx, source); err != nil {
		return nil, err
	}
	s, err := l.snapshot(ctx, source, id)
	if err != nil {
		return nil, err
	}
	return &Snapshot{Source: source, ID: s.ID, FetchedAt: s.FetchedAt, Body: s.Body}, nil
}

func (l *Local) snapshot(ctx context.Context, source string, id int64) (*watcher.Snapshot, error) {
	var s *watcher.Snapshot
	var err error
	if id > 0 {
		s, err = l.db.Snapshot(ctx, source, id)
	} else {
		s, err = l.db.LatestSnapshot(ctx, source)
	}
	if errors.Is(err, watcher.ErrNotFound) {
		if id > 0 {
			return nil, errorf(NotFound, "source %q has no snapshot %d", source, id)
		}
		return nil, errorf(NotFound, "source %q has no snapshot yet (run driftwatch poll)", source)
	}
	return s, err
}

// Diff compares two snapshots: by default the newest and the one before
// it (a single snapshot compares with itself: nothing changed yet).
func (l *Local) Diff(ctx context.Context, source string, from, to int64) (*Diff, error) {
	typ, err := l.sourceType(ctx, source)
	if err != nil {
		return nil, err
	}
	newer, err := l.snapshot(ctx, source, to)
	if err != nil {
		return nil, err
	}
	var older *watcher.Snapshot
	if from > 0 {
		older, err = l.snapshot(ctx, source, from)
	} else {
		older, err = l.db.PreviousSnapshot(ctx, source, newer.ID)
		if errors.Is(err, watcher.ErrNotFound) {
			older, err = newer, nil
		}
	}
	if err != nil {
		return nil, err
	}
	changes, err := diff.Diff(older.Body, newer.Body, diff.Options{Sets: providers.Sets(typ)})
	if err != nil {
		return nil, err
	}
	if changes == nil {
		changes = []diff.Change{}
	}
	return &Diff{Source: source, From: older.ID, To: newer.ID, Changes: changes,
		FromAt: watcher.FormatTime(older.FetchedAt), ToAt: watcher.FormatTime(newer.FetchedAt)}, nil
}

// Ack acknowledges findings by ID or fingerprint, all or nothing.
func (l *Local) Ack(ctx context.Context, r AckRequest) ([]Finding, error) {
	if len(r.IDs) == 0 {
		return nil, errorf(Invalid, "ack needs at least one finding ID (see driftwatch findings)")
	}
	now := l.Now()
	req := store.AckRequest{Refs: r.IDs, Note: r.Note, Author: r.Author, At: now, Policy: routing.Policy(l.cfg.Load())}
	if r.For != "" {
		d, err := ParseDuration(r.For)
		if err != nil {
			return nil, errorf(Invalid, "`for`: %v", err)
		}
		until := now.Add(d)
		req.Until = &until
	}
	ids, err := l.db.AckRefs(ctx, req)
	if errors.Is(err, watcher.ErrNotFound) {
		return nil, errorf(NotFound, "%s; nothing acknowledged", strings.TrimSuffix(err.Error(), ": "+watcher.ErrNotFound.Error()))
	}
	if err != nil {
		return nil, err
	}
	fs, err := l.db.Findings(ctx, watcher.FindingFilter{ID: ids})
	if err != nil {
		return nil, err
	}
	return l.annotate(ctx, fs, now)
}
