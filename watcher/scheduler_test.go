package watcher_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// The scheduler tests run the real cron on "@every 1s" schedules; they
// wait on conditions, never on fixed sleeps, and run in parallel.

// running is a Scheduler.Run in progress.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, s *watcher.Scheduler) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		r.wait(t, 30*time.Second)
	})
	return r
}

// wait returns Run's error once it returned, failing the test after
// within (a liveness bound, not a timing assertion).
func (r *running) wait(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case err := <-r.done:
		r.done <- err // later waits see it too
		return err
	case <-time.After(within):
		t.Fatalf("Scheduler.Run did not return within %s", within)
		return nil
	}
}

func (r *running) returned() bool {
	select {
	case err := <-r.done:
		r.done <- err
		return true
	default:
		return false
	}
}

// counted wraps a provider (a real one, or a function for what no real
// one does), counting calls (1-based) and the peak of concurrent calls,
// and noting when each call began and ended.
type counted struct {
	f      func(ctx context.Context, prev watcher.FetchState, call int) (*watcher.Result, error)
	mu     sync.Mutex
	calls  int
	active int
	peak   int
	starts []time.Time
	ends   []time.Time
}

func (c *counted) Fetch(ctx context.Context, prev watcher.FetchState) (*watcher.Result, error) {
	c.mu.Lock()
	c.calls++
	call := c.calls
	c.active++
	c.peak = max(c.peak, c.active)
	c.starts = append(c.starts, time.Now())
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.active--
		c.ends = append(c.ends, time.Now())
		c.mu.Unlock()
	}()
	return c.f(ctx, prev, call)
}

func (c *counted) n() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

func countedSource(name, schedule string, f func(ctx context.Context, prev watcher.FetchState, call int) (*watcher.Result, error)) (*watcher.Runtime, *counted) {
	c := &counted{f: f}
	return &watcher.Runtime{Source: watcher.Source{Name: name, Type: "http_json", Schedule: schedule}, Provider: c}, c
}

// countedReal counts the fetches of a real http_json source.
func countedReal(t *testing.T, up *upstream, name, schedule string) (*watcher.Runtime, *counted) {
	rt := jsonSource(t, up, name)
	real := rt.Provider
	c := &counted{f: func(ctx context.Context, prev watcher.FetchState, _ int) (*watcher.Result, error) {
		return real.Fetch(ctx, prev)
	}}
	rt.Provider, rt.Source.Schedule = c, schedule
	return rt, c
}

// cronTicks marks a test that waits on real cron ticks (robfig/cron has no
// clock to inject): -short skips it.
func cronTicks(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("waits on real cron ticks; skipped with -short")
	}
}

func TestSchedulerPollsAtStartAndOnSchedule(t *testing.T) {
	cronTicks(t)
	t.Parallel()
	db, up := openStore(t), newUpstream(t)
	var rts []*watcher.Runtime
	for _, name := range []string{"a", "b", "c", "hourly"} {
		up.set(name, `{"v": 1}`)
		rt := jsonSource(t, up, name)
		if name == "hourly" {
			rt.Source.Schedule = "@every 1h"
		}
		rts = append(rts, rt)
	}
	s := &watcher.Scheduler{Engine: &watcher.Engine{Sources: rts, Store: db}}
	r := start(t, s)

	eventually(t, 10*time.Second, "three polls of every 1s source", func() bool {
		return up.count("a") >= 3 && up.count("b") >= 3 && up.count("c") >= 3
	})
	if got := up.count("hourly"); got != 1 {
		t.Errorf("hourly source fetched %d times, want once at start", got)
	}
	up.set("b", `{"v": 2}`)
	eventually(t, 5*time.Second, "the change stored by a scheduled poll", func() bool {
		return len(snapshots(t, db, "b")) == 2
	})
	r.cancel()
	if err := r.wait(t, 30*time.Second); err != nil {
		t.Fatalf("Run = %v", err)
	}
}

func TestSchedulerKeepsPollingAPanickingProvider(t *testing.T) {
	cronTicks(t)
	t.Parallel()
	db, lb := openStore(t), &logBuffer{}
	rt, c := countedSource("boom", "@every 1s", func(context.Context, watcher.FetchState, int) (*watcher.Result, error) { panic("provider bug") })
	s := &watcher.Scheduler{Engine: &watcher.Engine{Sources: []*watcher.Runtime{rt}, Store: db, FailThreshold: 100}, Logger: newLogger(lb)}
	s.Engine.Logger = s.Logger
	start(t, s)
	eventually(t, 10*time.Second, "three panics logged", func() bool { return lb.count("provider panic: provider bug") >= 3 })
	if got := lb.count("provider panic: provider bug"); got != c.n() && got != c.n()-1 {
		t.Errorf("panics logged %d times for %d polls, want every one", got, c.n())
	}
	if st := sourceState(t, db, "boom"); st.ConsecutiveFailures < 3 || len(snapshots(t, db, "boom")) != 0 {
		t.Errorf("state = %+v", st)
	}
}

// panicky is an observer that panics on every poll after the first: a
// panic that escapes the scheduled job itself.
type panicky struct{ polls atomic.Int32 }

func (p *panicky) Polled(watcher.SourceReport) {
	if p.polls.Add(1) > 1 {
		panic("observer bug")
	}
}

func (p *panicky) Delivered(int, int, int) {}

// TestSchedulerRecoversInsideTheSkipGuard: a panic escaping a job is
// recovered inside SkipIfStillRunning, so the job still runs on later ticks.
func TestSchedulerRecoversInsideTheSkipGuard(t *testing.T) {
	cronTicks(t)
	t.Parallel()
	lb := &logBuffer{}
	up := newUpstream(t)
	up.set("src", `{"ok": true}`)
	rt := jsonSource(t, up, "src")
	obs := &panicky{}
	s := &watcher.Scheduler{Engine: &watcher.Engine{Sources: []*watcher.Runtime{rt}, Store: openStore(t), Observer: obs}, Logger: newLogger(lb)}
	start(t, s)
	eventually(t, 10*time.Second, "polls after panics", func() bool { return obs.polls.Load() >= 4 })
	if got := lb.count("cron: panic"); got < 2 {
		t.Errorf("cron logged %d panics, want every scheduled one", got)
	}
}

// TestCronRecoverOutermostSkipsForever shows the cron v3.0.1 trap the
// scheduler avoids: with Recover outside SkipIfStillRunning, a panicking
// job never frees its slot and is skipped forever.
func TestCronRecoverOutermostSkipsForever(t *testing.T) {
	cronTicks(t)
	t.Parallel()
	logger := cron.DiscardLogger
	var inner, outer atomic.Int32
	boom := func(n *atomic.Int32) cron.Job {
		return cron.FuncJob(func() { n.Add(1); panic("job bug") })
	}
	c := cron.New()
	every, _ := cron.ParseStandard("@every 1s")
	c.Schedule(every, cron.NewChain(cron.SkipIfStillRunning(logger), cron.Recover(logger)).Then(boom(&inner)))
	c.Schedule(every, cron.NewChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)).Then(boom(&outer)))
	c.Start()
	defer c.Stop()
	eventually(t, 10*time.Second, "three runs with Recover innermost", func() bool { return inner.Load() >= 3 })
	if got := outer.Load(); got != 1 {
		t.Errorf("Recover outermost ran %d times, want 1 (then skipped forever)", got)
	}
}

func TestSchedulerSkipsASlowPoll(t *testing.T) {
	cronTicks(t)
	t.Parallel()
	lb := &logBuffer{}
	up := newUpstream(t)
	up.set("slow", `{"ok": true}`)
	up.setBefore(func(*http.Request) {
		if up.count("slow") == 2 { // the first scheduled poll outlasts two ticks
			time.Sleep(2500 * time.Millisecond)
		}
	})
	rt, c := countedReal(t, up, "slow", "@every 1s")
	s := &watcher.Scheduler{Engine: &watcher.Engine{Sources: []*watcher.Runtime{rt}, Store: openStore(t)}, Logger: newLogger(lb)}
	start(t, s)
	eventually(t, 15*time.Second, "a poll after the slow one", func() bool { return c.n() >= 3 })
	c.mu.Lock()
	slowEnd, next, peak := c.ends[1], c.starts[2], c.peak
	c.mu.Unlock()
	if peak != 1 {
		t.Errorf("%d polls of one source ran at once", peak)
	}
	if lb.count("cron: skip") < 2 {
		t.Errorf("ticks during the slow poll were not skipped:\n%s", lb)
	}
	// Stacked ticks would start the moment the slow poll ended; a skipped
	// one waits for the next tick.
	if gap := next.Sub(slowEnd); gap < 250*time.Millisecond {
		t.Errorf("next poll began %s after the slow one ended: stacked, not skipped", gap)
	}
}

func TestSchedulerBacksOffAndResets(t *testing.T) {
	cronTicks(t)
	t.Parallel()
	db, up, lb := openStore(t), newUpstream(t), &logBuffer{}
	up.fail("flaky", http.StatusServiceUnavailable)
	s := &watcher.Scheduler{Engine: &watcher.Engine{Sources: []*watcher.Runtime{jsonSource(t, up, "flaky")}, Store: db, FailThreshold: 2},
		Logger: newLogger(lb), BackoffMax: 1500 * time.Millisecond}
	start(t, s)
	eventually(t, 10*time.Second, "the failing source backed off", func() bool {
		_, ok := s.BackedOff()["flaky"]
		return ok
	})
	if until := s.BackedOff()["flaky"]; !until.After(time.Now()) || until.After(time.Now().Add(1500*time.Millisecond)) {
		t.Errorf("backed off until %s, want within BackoffMax", until)
	}
	eventually(t, 10*time.Second, "a tick skipped while backed off", func() bool {
		return lb.count("source backed off; skipping") > 0
	})
	up.set("flaky", `{"ok": true}`)
	eventually(t, 10*time.Second, "success resetting the backoff", func() bool {
		return len(s.BackedOff()) == 0 && sourceState(t, db, "flaky").ConsecutiveFailures == 0
	})
}

func TestSchedulerJitterIsBounded(t *testing.T) {
	for _, tc := range []struct {
		max, interval, bound time.Duration
	}{
		{0, time.Hour, 30 * time.Second},                     // default
		{0, time.Second, 100 * time.Millisecond},             // a tenth of the interval
		{time.Second, time.Hour, time.Second},                // MaxJitter
		{5 * time.Second, 10 * time.Second, time.Second},     // the tenth wins
		{time.Second, 5 * time.Nanosecond, 1},                // nothing to spread
		{-time.Second, 24 * time.Hour, 30 * time.Second},     // negative: default
		{time.Minute, 0, 1},                                  // no interval
		{time.Millisecond, time.Hour, time.Millisecond},      // tiny
		{10 * time.Minute, 24 * time.Hour, 10 * time.Minute}, // large
	} {
		s := &watcher.Scheduler{MaxJitter: tc.max}
		var top time.Duration
		for range 2000 {
			j := s.Jitter(tc.interval)
			if j < 0 || j >= tc.bound {
				t.Fatalf("MaxJitter %s, interval %s: jitter %s outside [0, %s)", tc.max, tc.interval, j, tc.bound)
			}
			top = max(top, j)
		}
		if tc.bound > 1000 && top < tc.bound/2 {
			t.Errorf("MaxJitter %s, interval %s: largest of 2000 jitters %s, want spread up to %s", tc.max, tc.interval, top, tc.bound)
		}
	}
}

func TestSchedulerPostsTheDigest(t *testing.T) {
	cronTicks(t)
	t.Parallel()
	db, up, sim := openStore(t), newUpstream(t), providertest.NewSlack()
	t.Cleanup(sim.Close)
	n, err := slack.New(slack.Config{WebhookURL: sim.WebhookURL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	up.set("app", `{"v": 1}`)
	rt := jsonSource(t, up, "app")
	rt.Source.Schedule = "@every 1h" // only the start poll, whose delivery has nothing to post
	s := &watcher.Scheduler{Engine: &watcher.Engine{Sources: []*watcher.Runtime{rt}, Store: db, Notifier: n},
		Digest: "@every 1s", DeliverEvery: time.Hour}
	start(t, s)
	eventually(t, 10*time.Second, "the digest posted", func() bool {
		for _, p := range sim.Posted() {
			if strings.HasPrefix(p.Text, "driftwatch digest") && strings.Contains(string(p.JSON), "app") {
				return true
			}
		}
		return false
	})
	eventually(t, 5*time.Second, "the digest marked sent", func() bool { return outbox(t, db).Pending == 0 })
}
