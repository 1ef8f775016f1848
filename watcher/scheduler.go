package watcher

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// DefaultGrace is how long an in-flight poll may finish after a stop
// signal. Service managers must wait longer before they kill the process
// (deploy/ sets 30 s).
const DefaultGrace = 20 * time.Second

// Scheduler runs the engine as a daemon: every source on its own cron
// schedule, the digest on its schedule, and outbox delivery on a short
// timer. Jobs get the scheduler's context (cron gives none), a little
// jitter so sources sharing a schedule do not hit upstreams in the same
// second, and are wrapped so that a slow job is skipped rather than
// stacked and a panicking one is logged without killing the daemon.
type Scheduler struct {
	Engine *Engine
	Logger *slog.Logger
	// Digest is the digest schedule spec; empty disables the digest.
	Digest string
	// DeliverEvery is the outbox retry timer (default 10 s).
	DeliverEvery time.Duration
	// MaxJitter bounds the random delay before a poll (default 30 s, and
	// never more than a tenth of the source's interval).
	MaxJitter time.Duration
	// Grace is how long an in-flight poll may finish after shutdown
	// begins before it is abandoned (default DefaultGrace).
	Grace time.Duration
	// BackoffMax caps how long a failing source is skipped (default 6 h).
	BackoffMax time.Duration

	mu      sync.Mutex
	backoff map[string]time.Time
	// digestToNoOne is set once the daemon warned that a digest went to
	// no receiver, so the warning is not repeated every week.
	digestToNoOne bool
}

// BackedOff returns the sources currently skipped after repeated
// failures, with when they are tried again.
func (s *Scheduler) BackedOff() map[string]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]time.Time, len(s.backoff))
	for k, v := range s.backoff {
		out[k] = v
	}
	return out
}

// Run polls every source once, then schedules them until ctx is done. On
// shutdown it stops scheduling and lets in-flight polls finish within
// Grace; a poll still running after that is cancelled, and its
// transaction, never begun or rolled back, leaves the store as it was.
func (s *Scheduler) Run(ctx context.Context) error {
	log := s.logger()
	e := s.Engine
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()

	cl := cronLogger{log}
	c := cron.New(cron.WithLocation(time.UTC), cron.WithLogger(cl),
		// Recover innermost: cron v3.0.1's SkipIfStillRunning never frees
		// its slot after a panic that Recover outside it has caught.
		cron.WithChain(cron.SkipIfStillRunning(cl), cron.Recover(cl)))
	for _, rt := range e.Sources {
		sched, err := ParseSchedule(rt.Source.Schedule)
		if err != nil {
			return fmt.Errorf("source %q: %w", rt.Source.Name, err)
		}
		c.Schedule(sched, cron.FuncJob(func() { s.pollJob(ctx, jobCtx, rt, sched) }))
	}
	if s.Digest != "" {
		sched, err := ParseSchedule(s.Digest)
		if err != nil {
			return fmt.Errorf("digest: %w", err)
		}
		c.Schedule(sched, cron.FuncJob(func() { s.digestJob(jobCtx, sched) }))
	}

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // one poll of every source at start
		defer wg.Done()
		if _, err := e.Poll(jobCtx); err != nil {
			log.Error("startup poll", "error", err.Error())
		}
		e.Deliver(jobCtx)
	}()
	c.Start()
	// The daemon's own start, stop and reload are the caller's to log: a
	// config reload runs a new schedule without the daemon stopping.
	log.Debug("schedule started", "sources", len(e.Sources), "digest", s.Digest)

	every := s.DeliverEvery
	if every <= 0 {
		every = 10 * time.Second
	}
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-ticker.C:
			e.Deliver(jobCtx)
		}
	}

	log.Debug("schedule stopping: no new polls; waiting for in-flight ones")
	stopped := c.Stop()
	all := make(chan struct{})
	go func() {
		<-stopped.Done()
		wg.Wait()
		close(all)
	}()
	grace := s.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	select {
	case <-all:
	case <-time.After(grace):
		log.Warn("in-flight polls did not finish in time; abandoning them", "grace", grace)
		cancelJobs()
		select {
		case <-all:
		case <-time.After(5 * time.Second):
		}
	}
	log.Debug("schedule stopped")
	return nil
}

func (s *Scheduler) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// pollJob polls one source after a jitter, unless it is backed off. A
// shutdown (stop done) during the jitter starts no poll; ctx, which
// outlives stop by the grace period, bounds the poll itself.
func (s *Scheduler) pollJob(stop, ctx context.Context, rt *Runtime, sched cron.Schedule) {
	now := time.Now()
	interval := sched.Next(now).Sub(now)
	if until, ok := s.BackedOff()[rt.Source.Name]; ok && now.Before(until) {
		s.logger().Debug("source backed off; skipping", "source", rt.Source.Name, "until", FormatTime(until))
		return
	}
	if err := sleepCtx(stop, s.jitter(interval)); err != nil {
		return
	}
	rep := s.Engine.PollSource(ctx, rt, newPollID(), nil)
	s.noteOutcome(ctx, rt, rep, interval)
	s.Engine.Deliver(ctx)
}

func (s *Scheduler) jitter(interval time.Duration) time.Duration {
	max := s.MaxJitter
	if max <= 0 {
		max = 30 * time.Second
	}
	if tenth := interval / 10; tenth < max {
		max = tenth
	}
	if max <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(max)))
}

// noteOutcome backs off a source after FailThreshold failures in a row:
// interval × 2^(failures-threshold), capped.
func (s *Scheduler) noteOutcome(ctx context.Context, rt *Runtime, rep SourceReport, interval time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.backoff == nil {
		s.backoff = map[string]time.Time{}
	}
	if rep.Outcome != OutcomeFailed {
		delete(s.backoff, rt.Source.Name)
		return
	}
	st, err := s.Engine.Store.SourceState(ctx, rt.Source.Name)
	if err != nil {
		return
	}
	threshold := s.Engine.FailThreshold
	if threshold <= 0 {
		threshold = 3
	}
	over := st.ConsecutiveFailures - threshold
	if over < 0 {
		return
	}
	capd := s.BackoffMax
	if capd <= 0 {
		capd = 6 * time.Hour
	}
	wait := interval << min(over, 16)
	if wait > capd || wait <= 0 {
		wait = capd
	}
	until := time.Now().Add(wait)
	s.backoff[rt.Source.Name] = until
	s.logger().Warn("source keeps failing; backing off", "source", rt.Source.Name,
		"failures", st.ConsecutiveFailures, "next_try", FormatTime(until))
}

// digestJob enqueues the digest of the period since the last one and
// delivers it.
func (s *Scheduler) digestJob(ctx context.Context, sched cron.Schedule) {
	now := time.Now().UTC()
	period := sched.Next(now).Sub(now)
	if period < time.Hour {
		period = time.Hour
	}
	d, err := s.Engine.BuildDigest(ctx, now.Add(-period), now)
	if err != nil {
		s.logger().Error("digest", "error", err.Error())
		return
	}
	n := Notice{Kind: NoticeDigest, Group: "digest/" + now.Format(time.RFC3339), Digest: d, CreatedAt: now}
	queued, err := s.Engine.EnqueueDigest(ctx, n)
	if err != nil {
		s.logger().Error("digest", "error", err.Error())
		return
	}
	if queued == 0 {
		s.mu.Lock()
		warn := !s.digestToNoOne
		s.digestToNoOne = true
		s.mu.Unlock()
		if warn {
			s.logger().Warn("the digest goes to no receiver: no [[route]] has digest = true; set it on the route of the receivers that should get it")
		}
		return
	}
	s.Engine.Deliver(ctx)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil || d <= 0 {
		return err // done already: never race a short timer against it
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }

func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "error", fmt.Sprint(err))...)
}
