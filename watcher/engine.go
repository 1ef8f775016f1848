package watcher

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/driftwatch/driftwatch/diff"
)

// Runtime is one source ready to poll: its provider, its rules and the
// shape of its documents.
type Runtime struct {
	Source   Source
	Provider Provider
	Rules    []Rule
	// Options gives the set arrays of the source's documents and the paths
	// it ignores.
	Options diff.Options
	// RulesKey identifies the rules' configuration (expectations,
	// thresholds, deployed version); when it changes, an unchanged
	// document is judged again.
	RulesKey string
	// Link, when set, adds the pages of a judged finding (dashboard,
	// release, feed entry) that its rule did not.
	Link func(j *Judgement, f *Finding)
	// Page is the source's own page (its upstream page, the daemon's page
	// of it, or its URL without credentials): the link of findings about
	// the source itself, such as source.failing.
	Page string
	// Footprint, when set, reads what a document of the source says the
	// app uses, for other sources' rules.
	Footprint func(doc any) Footprint
	// Timeout bounds one fetch of the source, every page, retry and wait
	// included (DefaultTimeout when 0): an upstream answering slowly on
	// each request must not hold a poll for ever.
	Timeout time.Duration
}

// DefaultTimeout bounds a source's fetch when its config sets none.
const DefaultTimeout = 5 * time.Minute

// StoreError marks a poll that failed in the store (a read-only file, a
// full disk) rather than upstream: the command reports it as a store
// error, not as a failing source.
type StoreError struct{ Err error }

func (e *StoreError) Error() string { return e.Err.Error() }

func (e *StoreError) Unwrap() error { return e.Err }

// storeErr wraps a failed store call as a *StoreError, unless the context
// ended (the poll was abandoned, not the store broken) or another poll
// merely got there first.
func storeErr(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil || errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
		return err
	}
	var se *StoreError
	if errors.As(err, &se) {
		return err
	}
	return &StoreError{Err: err}
}

// Observer receives what the engine did, for metrics. Every method must be
// cheap and safe for concurrent use.
type Observer interface {
	Polled(r SourceReport)
	Delivered(sent, failed, gaveUp int)
}

// Engine runs poll cycles: fetch, store, diff, judge, record, deliver.
type Engine struct {
	Sources  []*Runtime
	Store    Store
	Notifier Notifier // the single unnamed receiver when Receivers is empty; nil: notices stay in the outbox
	// Receivers are the named destinations; each delivers its own part
	// of the outbox. The first adopts notices written before receivers
	// existed.
	Receivers []Receiver
	Policy    NoticePolicy
	// QuietBaseline records the findings judged on a source's first
	// snapshot without notices: a first `poll --no-notify` sets up a
	// source without queueing its initial state for the team.
	QuietBaseline bool
	Logger        *slog.Logger
	Observer      Observer // may be nil
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Concurrency bounds the sources fetched at once (default 4).
	Concurrency int
	// FailThreshold is how many failures in a row raise a source's failing
	// finding (default 3).
	FailThreshold int
	// ClaimLease is how long a deliverer holds the notices it claimed
	// without renewing them (default 2 minutes). It is renewed right
	// before each post, and one post may take at most half of it.
	ClaimLease time.Duration
	// Scrub removes known secrets (credentials, tokens obtained during a
	// poll, the webhook URL) from error text before it is logged, stored
	// or reported; nil leaves text as it is.
	Scrub func(string) string

	locks sync.Map // source name -> *sync.Mutex: one poll of a source at a time

	statusMu sync.Mutex
	status   map[string]ReceiverStatus // receivers last seen down, by name
}

// Outcome is what one source's poll came to.
type Outcome string

// The poll outcomes.
const (
	OutcomeBaseline  Outcome = "baseline"  // first snapshot stored
	OutcomeChanged   Outcome = "changed"   // a new snapshot stored
	OutcomeUnchanged Outcome = "unchanged" // same content (or 304)
	OutcomeFailed    Outcome = "failed"    // nothing stored
)

// SourceReport is one source's part of a poll.
type SourceReport struct {
	Source        string
	Type          string
	Outcome       Outcome
	Err           error
	Duration      time.Duration
	Changes       int
	Opened        int
	Resolved      int
	Notices       int
	SnapshotID    int64
	Requests      int
	RateRemaining int
}

// PollReport is the result of one poll cycle.
type PollReport struct {
	Sources []SourceReport
}

// Failed counts the sources whose fetch failed.
func (r *PollReport) Failed() int {
	n := 0
	for _, s := range r.Sources {
		if s.Outcome == OutcomeFailed {
			n++
		}
	}
	return n
}

// StoreErr returns the first source error that is the store's, if any.
func (r *PollReport) StoreErr() error {
	for _, s := range r.Sources {
		var se *StoreError
		if errors.As(s.Err, &se) {
			return s.Err
		}
	}
	return nil
}

// UnknownSourceError names a source that is not configured.
type UnknownSourceError struct{ Name string }

func (e *UnknownSourceError) Error() string { return fmt.Sprintf("unknown source %q", e.Name) }

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now().UTC()
	}
	return time.Now().UTC()
}

func (e *Engine) logger() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Logger
}

// Select returns the runtimes with the given names, all when none given.
func (e *Engine) Select(names []string) ([]*Runtime, error) {
	if len(names) == 0 {
		return e.Sources, nil
	}
	var out []*Runtime
	for _, n := range names {
		var found *Runtime
		for _, rt := range e.Sources {
			if rt.Source.Name == n {
				found = rt
			}
		}
		if found == nil {
			return nil, &UnknownSourceError{Name: n}
		}
		out = append(out, found)
	}
	return out, nil
}

// Poll runs one cycle over the named sources (all when none are named):
// each source is fetched, stored and judged in its own transaction, and a
// failing source never stops the others. Notices are written to the
// outbox, not delivered; call Deliver for that.
func (e *Engine) Poll(ctx context.Context, names ...string) (*PollReport, error) {
	rts, err := e.Select(names)
	if err != nil {
		return nil, err
	}
	n := e.Concurrency
	if n <= 0 {
		n = 4
	}
	poll := newPollID()
	peers := NewPeers(ctx, e.Store, e.Sources)
	report := &PollReport{Sources: make([]SourceReport, len(rts))}
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, rt := range rts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			report.Sources[i] = e.PollSource(ctx, rt, poll, peers)
		}()
	}
	wg.Wait()
	return report, nil
}

func newPollID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// PollSource fetches, stores and judges one source. peers may be nil.
func (e *Engine) PollSource(ctx context.Context, rt *Runtime, poll string, peers Peers) SourceReport {
	start := time.Now()
	rep := SourceReport{Source: rt.Source.Name, Type: rt.Source.Type, RateRemaining: -1}
	if peers == nil {
		peers = NewPeers(ctx, e.Store, e.Sources)
	}
	mu, _ := e.locks.LoadOrStore(rt.Source.Name, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	err := e.pollSource(ctx, rt, poll, peers, &rep)
	if errors.Is(err, ErrConflict) { // another process polled meanwhile: once more on its result
		rep = SourceReport{Source: rt.Source.Name, Type: rt.Source.Type, RateRemaining: -1}
		err = e.pollSource(ctx, rt, poll, peers, &rep)
	}
	mu.(*sync.Mutex).Unlock()
	err = e.scrub(err)
	rep.Duration = time.Since(start)
	log := e.logger().With("source", rt.Source.Name, "type", rt.Source.Type)
	if err != nil {
		rep.Outcome, rep.Err = OutcomeFailed, err
		log.Error("poll failed", "duration", rep.Duration.Round(time.Millisecond), "error", err.Error())
	} else {
		log.Info("poll", "outcome", string(rep.Outcome), "duration", rep.Duration.Round(time.Millisecond),
			"changes", rep.Changes, "opened", rep.Opened, "resolved", rep.Resolved, "requests", rep.Requests)
	}
	if e.Observer != nil {
		e.Observer.Polled(rep)
	}
	return rep
}

func (e *Engine) pollSource(ctx context.Context, rt *Runtime, poll string, peers Peers, rep *SourceReport) error {
	name := rt.Source.Name
	st, err := e.Store.SourceState(ctx, name)
	if err != nil {
		return storeErr(ctx, fmt.Errorf("%s: %w", name, err))
	}
	var latest *Snapshot
	loadLatest := func() (*Snapshot, error) {
		if latest != nil {
			return latest, nil
		}
		s, err := e.Store.LatestSnapshot(ctx, name)
		if err != nil {
			return nil, err
		}
		latest = s
		return s, nil
	}
	prev := st.Fetch
	prev.Last = func() (any, error) {
		s, err := loadLatest()
		if err != nil {
			return nil, err
		}
		return diff.Decode(s.Body)
	}
	timeout := rt.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	fctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("the fetch took longer than the source's timeout of %s", timeout))
	res, err := e.fetch(fctx, rt, prev)
	timedOut := errors.Is(fctx.Err(), context.DeadlineExceeded)
	cancel()
	if err != nil && timedOut {
		// Name the deadline, not the request it happened to cut.
		err = fmt.Errorf("gave up: %w", context.Cause(fctx))
	}
	if err == nil && res.Unchanged && st.LastHash == "" {
		err = errors.New("upstream answered 304 Not Modified but no snapshot is stored")
	}
	if err != nil {
		return e.recordFailure(ctx, rt, st, poll, fmt.Errorf("%s: %w", name, err))
	}
	rep.Requests, rep.RateRemaining = res.Requests, res.RateRemaining
	now := e.now()

	var body []byte
	var snap *NewSnapshot
	var changes []diff.Change
	baseline := false
	if !res.Unchanged {
		body, err = diff.Canonical(res.Doc, rt.Options)
		if err != nil {
			return e.recordFailure(ctx, rt, st, poll, fmt.Errorf("%s: %w", name, err))
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])
		if hash != st.LastHash {
			prevSnap, err := loadLatest()
			switch {
			case errors.Is(err, ErrNotFound):
				baseline = true
			case err != nil:
				return storeErr(ctx, fmt.Errorf("%s: %w", name, err))
			default:
				if changes, err = diff.Diff(prevSnap.Body, body, diff.Options{Sets: rt.Options.Sets}); err != nil {
					return fmt.Errorf("%s: diff: %w", name, err)
				}
			}
			snap = &NewSnapshot{Hash: hash, Body: body, Changes: len(changes)}
		}
	}
	rep.Outcome, rep.Changes = OutcomeUnchanged, len(changes)
	if snap != nil {
		rep.Outcome = OutcomeChanged
		if baseline {
			rep.Outcome = OutcomeBaseline
		}
	}

	commit := &Commit{Source: name, Type: rt.Source.Type, At: now, Fetch: res.State, Snapshot: snap,
		BaseHash: st.LastHash, Policy: e.Policy, Group: poll + "/" + name}
	commit.Fetch.Last = nil
	if baseline && e.QuietBaseline {
		commit.Policy.Quiet = true
	}
	// The key names the document judged too: a snapshot stored while a rule
	// panicked was never judged, and is judged at the next poll as the
	// change it was.
	newest := st.LastHash
	if snap != nil {
		newest = snap.Hash
	}
	judgedKey := rt.RulesKey + "|" + now.Format("2006-01-02") + res.State.Memo[MemoJudgeKey] + "|" + newest
	if snap != nil || judgedKey != st.JudgedKey {
		unjudged := snap == nil && !strings.HasSuffix(st.JudgedKey, "|"+st.LastHash)
		j, err := e.judgement(ctx, rt, snap, body, changes, baseline, unjudged, loadLatest, peers, now)
		if err != nil {
			return storeErr(ctx, err)
		}
		j.Memo = res.State.Memo
		fs, err := e.judge(rt, j)
		if err != nil {
			e.logger().Error("judging failed; findings left as they were", "source", name, "error", err.Error())
		} else {
			commit.Judged, commit.Findings, commit.JudgedKey = true, fs, judgedKey
		}
	}
	cr, err := e.Store.Commit(ctx, commit)
	if err != nil {
		return storeErr(ctx, err)
	}
	rep.SnapshotID, rep.Opened, rep.Resolved, rep.Notices = cr.SnapshotID, cr.Opened+cr.Reopened, cr.Resolved, cr.Notices
	return nil
}

// fetch calls the provider, turning a panic into an error.
func (e *Engine) fetch(ctx context.Context, rt *Runtime, prev FetchState) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("provider panic: %v", r)
		}
	}()
	res, err = rt.Provider.Fetch(ctx, prev)
	if err == nil && res == nil {
		err = errors.New("provider returned no result")
	}
	if err == nil && !res.Unchanged && res.Doc == nil {
		err = errors.New("provider returned no document")
	}
	return res, err
}

func (e *Engine) recordFailure(ctx context.Context, rt *Runtime, st SourceState, poll string, cause error) error {
	cause = e.scrub(cause)
	now := e.now()
	threshold := e.FailThreshold
	if threshold <= 0 {
		threshold = 3
	}
	f := &Failure{Source: rt.Source.Name, Type: rt.Source.Type, At: now, Error: cause.Error(),
		Policy: e.Policy, Group: poll + "/" + rt.Source.Name}
	if st.ConsecutiveFailures+1 >= threshold {
		since := now
		if st.FailingSince != nil {
			since = *st.FailingSince
		}
		f.Raise = &Finding{
			Source: rt.Source.Name, Rule: "source.failing", Severity: Warning, Category: Configuration,
			Title:  fmt.Sprintf("%s failing since %s (%d polls in a row)", rt.Source.Name, FormatTime(since), st.ConsecutiveFailures+1),
			Detail: "last error: " + cause.Error() + "\nCheck the source's credentials, URL and permissions; nothing is stored until it succeeds.",
			New:    cause.Error(),
		}
		f.Raise.AddLink("Source", rt.Page)
	}
	// A fetch cut short by a deadline (the source's timeout, check's
	// --timeout) is still a failure to record; a cancelled one (shutdown)
	// is abandoned.
	rctx := ctx
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
	}
	if _, err := e.Store.RecordFailure(rctx, f); err != nil {
		return storeErr(rctx, errors.Join(cause, err))
	}
	return cause
}

// Retirer is the part of a store that retires sources taken out of the
// configuration.
type Retirer interface {
	RetireSources(ctx context.Context, keep []string, at time.Time, policy NoticePolicy, group string) ([]string, error)
}

// RetireRemoved retires every stored source the engine does not run: it
// leaves /healthz and /metrics, and its open findings resolve, kept in the
// history with the reason. It returns the retired names.
func (e *Engine) RetireRemoved(ctx context.Context) ([]string, error) {
	r, ok := e.Store.(Retirer)
	if !ok {
		return nil, nil
	}
	keep := make([]string, 0, len(e.Sources))
	for _, rt := range e.Sources {
		keep = append(keep, rt.Source.Name)
	}
	names, err := r.RetireSources(ctx, keep, e.now(), e.Policy, newPollID()+"/retired")
	if err != nil {
		return nil, storeErr(ctx, err)
	}
	if len(names) > 0 {
		e.logger().Info("sources removed from the configuration: their open findings resolved", "sources", strings.Join(names, ", "))
	}
	return names, nil
}
