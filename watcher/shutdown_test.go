package watcher_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

func TestSchedulerShutdown(t *testing.T) {
	cronTicks(t)
	t.Run("FinishesInFlightPoll", func(t *testing.T) {
		t.Parallel()
		db, up := openStore(t), newUpstream(t)
		up.set("app", `{"v": 1}`)
		inFlight, release := make(chan struct{}), make(chan struct{})
		up.setBefore(func(r *http.Request) {
			if up.count("app") == 2 {
				close(inFlight)
				<-release
			}
		})
		s := &watcher.Scheduler{Engine: &watcher.Engine{Sources: []*watcher.Runtime{jsonSource(t, up, "app")}, Store: db}, Grace: 10 * time.Second}
		r := start(t, s)
		<-inFlight
		up.set("app", `{"v": 2}`)
		r.cancel()
		time.Sleep(200 * time.Millisecond)
		if r.returned() {
			t.Fatal("Run returned before the in-flight poll finished")
		}
		close(release)
		if err := r.wait(t, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		if got := len(snapshots(t, db, "app")); got != 2 {
			t.Errorf("snapshots = %d, want the in-flight poll's committed", got)
		}
	})
	t.Run("AbandonsPollAfterGrace", func(t *testing.T) {
		t.Parallel()
		db, up := openStore(t), newUpstream(t)
		up.set("app", `{"v": 1}`)
		inFlight := make(chan struct{})
		up.setBefore(func(r *http.Request) {
			if up.count("app") == 2 {
				up.set("app", `{"v": 2}`)
				close(inFlight)
				<-r.Context().Done() // stalls until the client gives up
			}
		})
		s := &watcher.Scheduler{Engine: &watcher.Engine{Sources: []*watcher.Runtime{jsonSource(t, up, "app")}, Store: db}, Grace: 300 * time.Millisecond}
		r := start(t, s)
		<-inFlight
		before := sourceState(t, db, "app")
		r.cancel()
		if err := r.wait(t, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		after := sourceState(t, db, "app")
		if len(snapshots(t, db, "app")) != 1 || !after.LastAttemptAt.Equal(*before.LastAttemptAt) || after.ConsecutiveFailures != 0 {
			t.Errorf("the abandoned poll left a trace: %+v", after)
		}
	})
	t.Run("AbandonsProviderIgnoringContext", func(t *testing.T) {
		t.Parallel()
		db := openStore(t)
		inFlight := make(chan struct{})
		rt, c := countedSource("deaf", "@every 1s", func(_ context.Context, _ watcher.FetchState, call int) (*watcher.Result, error) {
			if call == 2 {
				close(inFlight)
				time.Sleep(time.Second) // ignores ctx, then answers
				return doc(map[string]any{"v": 2}), nil
			}
			return doc(map[string]any{"v": 1}), nil
		})
		s := &watcher.Scheduler{Engine: &watcher.Engine{Sources: []*watcher.Runtime{rt}, Store: db}, Grace: 200 * time.Millisecond}
		r := start(t, s)
		<-inFlight
		r.cancel()
		if err := r.wait(t, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		eventually(t, 5*time.Second, "the deaf provider answering", func() bool {
			c.mu.Lock()
			defer c.mu.Unlock()
			return len(c.ends) == 2
		})
		time.Sleep(100 * time.Millisecond) // let a (wrong) commit land
		if got := len(snapshots(t, db, "deaf")); got != 1 {
			t.Errorf("snapshots = %d: the abandoned poll committed", got)
		}
	})
}

// TestPollJobStartsNoPollAfterShutdown: a job that cron started just as
// shutdown began, or that waits out its jitter when it begins, polls
// nothing; the grace period is for polls already in flight.
func TestPollJobStartsNoPollAfterShutdown(t *testing.T) {
	hourly, err := watcher.ParseSchedule("@every 1h")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ShutdownBeforeTheJob", func(t *testing.T) {
		db, up := openStore(t), newUpstream(t)
		up.set("src", `{"ok": true}`)
		rt, c := countedReal(t, up, "src", "@every 1h")
		s := &watcher.Scheduler{Engine: &watcher.Engine{Sources: []*watcher.Runtime{rt}, Store: db}}
		stop, cancel := context.WithCancel(context.Background())
		cancel()
		for _, max := range []time.Duration{0, time.Nanosecond, time.Second} {
			s.MaxJitter = max
			s.PollJob(stop, context.Background(), rt, hourly)
		}
		if c.n() != 0 || sourceState(t, db, "src").LastAttemptAt != nil {
			t.Fatalf("%d polls after shutdown", c.n())
		}
	})
	t.Run("ShutdownDuringJitter", func(t *testing.T) {
		up := newUpstream(t)
		up.set("src", `{"ok": true}`)
		rt, c := countedReal(t, up, "src", "@every 1h")
		s := &watcher.Scheduler{Engine: &watcher.Engine{Sources: []*watcher.Runtime{rt}, Store: openStore(t)}, MaxJitter: 10 * time.Second}
		stop, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		began := time.Now()
		go func() { s.PollJob(stop, context.Background(), rt, hourly); close(done) }()
		time.Sleep(20 * time.Millisecond)
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("the job kept waiting out its jitter after shutdown")
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		// Only a jitter drawn under the 20 ms before shutdown may poll.
		if len(c.starts) > 0 && c.starts[0].Sub(began) > 100*time.Millisecond {
			t.Fatalf("polled %s after the job began, after shutdown", c.starts[0].Sub(began))
		}
	})
}
