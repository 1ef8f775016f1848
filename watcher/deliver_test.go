package watcher_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/driftwatch/driftwatch/notify/slack"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// many is a state rule holding n conditions at once.
func many(n int) watcher.Rule {
	return watcher.RuleFunc(func(j *watcher.Judgement) []watcher.Finding {
		out := make([]watcher.Finding, n)
		for i := range out {
			out[i] = watcher.Finding{Rule: "test.many", Severity: watcher.Warning, Category: watcher.UsageGrowth,
				Path: "/items", Subject: fmt.Sprint(i), Title: fmt.Sprintf("item %d over quota", i)}
		}
		return out
	})
}

// spy records the batches handed to the real notifier it wraps.
type spy struct {
	watcher.Notifier
	mu      sync.Mutex
	batches [][]watcher.Notice
	// panicOn makes Deliver panic for a batch of this source, as a
	// rendering bug on odd upstream text would.
	panicOn string
}

func (s *spy) Deliver(ctx context.Context, ns []watcher.Notice) error {
	s.mu.Lock()
	s.batches = append(s.batches, ns)
	s.mu.Unlock()
	for _, n := range ns {
		if s.panicOn != "" && n.Source == s.panicOn {
			panic("render: slice bounds out of range")
		}
	}
	return s.Notifier.Deliver(ctx, ns)
}

// slackEngine is an engine over sources that each hold n[i] findings,
// polled once at t0, delivering to a simulated Slack webhook.
func slackEngine(t *testing.T, n ...int) (*watcher.Engine, *store.DB, *providertest.Slack, *spy, *clock) {
	t.Helper()
	clk := newClock(t0)
	e, db, sim, sp := slackEngineAt(t, clk.Now, n...)
	return e, db, sim, sp, clk
}

// slackEngineAt is slackEngine on the given clock (nil: the real one).
func slackEngineAt(t *testing.T, now func() time.Time, n ...int) (*watcher.Engine, *store.DB, *providertest.Slack, *spy) {
	t.Helper()
	db, up, sim := openStore(t), newUpstream(t), providertest.NewSlack()
	t.Cleanup(sim.Close)
	notifier, err := slack.New(slack.Config{WebhookURL: sim.WebhookURL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sp := &spy{Notifier: notifier}
	e := &watcher.Engine{Store: db, Notifier: sp, Policy: everyone, Now: now, Observer: &observer{}}
	for i, k := range n {
		name := fmt.Sprintf("src-%d", i)
		up.set(name, `{"items": []}`)
		e.Sources = append(e.Sources, jsonSource(t, up, name, many(k)))
	}
	if rep, err := e.Poll(context.Background()); err != nil || rep.Failed() > 0 {
		t.Fatalf("Poll: %v %+v", err, rep)
	}
	return e, db, sim, sp
}

func TestBatches(t *testing.T) {
	n := func(id int64, group string) watcher.Notice {
		return watcher.Notice{ID: id, Kind: watcher.NoticeOpened, Group: group}
	}
	digest := watcher.Notice{ID: 4, Kind: watcher.NoticeDigest, Group: "digest/1"}
	in := []watcher.Notice{n(1, "a"), n(2, "b"), n(3, "a"), digest, n(5, "a"), n(6, "b"), n(7, "a")}
	ids := func(bs [][]watcher.Notice) [][]int64 {
		var out [][]int64
		for _, b := range bs {
			var row []int64
			for _, x := range b {
				row = append(row, x.ID)
			}
			out = append(out, row)
		}
		return out
	}
	for _, tc := range []struct {
		max  int
		want [][]int64
	}{
		{2, [][]int64{{1, 3}, {2, 6}, {4}, {5, 7}}},
		{8, [][]int64{{1, 3, 5, 7}, {2, 6}, {4}}},
		{0, [][]int64{{1}, {2}, {3}, {4}, {5}, {6}, {7}}},
	} {
		if diff := cmp.Diff(tc.want, ids(watcher.Batches(in, tc.max))); diff != "" {
			t.Errorf("Batches(max %d) (-want +got):\n%s", tc.max, diff)
		}
	}
}

func TestDeliverBatchesByGroup(t *testing.T) {
	e, db, sim, sp, clk := slackEngine(t, 10, 3)
	d := &watcher.Digest{Since: t0.Add(-time.Hour), Until: t0, Sources: []watcher.DigestSource{{Name: "src-0", Snapshots: 1}}}
	if err := db.Enqueue(context.Background(), []watcher.Notice{{Kind: watcher.NoticeDigest, Group: "digest/x", Digest: d, CreatedAt: clk.Now()}}); err != nil {
		t.Fatal(err)
	}
	rep := e.Deliver(context.Background())
	if rep.Sent != 14 || rep.Failed+rep.GivenUp != 0 || rep.Err != nil {
		t.Fatalf("Deliver = %+v", rep)
	}
	var sizes []int
	for _, b := range sp.batches {
		sizes = append(sizes, len(b))
		for _, n := range b {
			if n.Group != b[0].Group || (n.Kind == watcher.NoticeDigest && len(b) != 1) {
				t.Errorf("batch mixes groups or holds a digest with others: %+v", b)
			}
		}
	}
	slices.Sort(sizes)
	if !slices.Equal(sizes, []int{1, 2, 3, 8}) || len(sim.Posted()) != 4 {
		t.Errorf("batch sizes = %v, %d messages posted; want 8+2 of one group, 3 of the other, the digest alone", sizes, len(sim.Posted()))
	}
	if ob := outbox(t, db); ob.Pending != 0 {
		t.Errorf("pending after delivery = %d", ob.Pending)
	}
	if again := e.Deliver(context.Background()); again.Sent != 0 || len(sim.Received()) != 4 {
		t.Errorf("a notice was posted twice: %+v", again)
	}
}

func TestDeliverRetryAfterDefersTheRest(t *testing.T) {
	e, db, sim, _, clk := slackEngine(t, 1, 1, 1)
	sim.Next(http.StatusTooManyRequests, "30")
	rep := e.Deliver(context.Background())
	if rep.Sent != 0 || rep.Failed != 1 || rep.Err == nil || len(sim.Received()) != 1 {
		t.Fatalf("Deliver = %+v, %d requests; want one failed attempt and the rest deferred", rep, len(sim.Received()))
	}
	if ob := outbox(t, db); ob.Pending != 3 || !strings.Contains(ob.LastError, "rate limited") {
		t.Errorf("outbox = %+v", ob)
	}
	if got := e.Observer.(*observer).delivered; !cmp.Equal(got, [][3]int{{0, 1, 0}}) {
		t.Errorf("observer saw %v", got)
	}
	clk.Add(29 * time.Second)
	if rep := e.Deliver(context.Background()); rep.Sent+rep.Failed != 0 || len(sim.Received()) != 1 {
		t.Fatalf("delivered before Retry-After: %+v", rep)
	}
	clk.Add(time.Second)
	if rep := e.Deliver(context.Background()); rep.Sent != 3 || len(sim.Posted()) != 3 {
		t.Fatalf("after Retry-After: %+v", rep)
	}
}

func TestDeliverBacksOffExponentiallyToFiveMinutes(t *testing.T) {
	e, _, sim, _, clk := slackEngine(t, 1)
	due := func(after time.Duration) bool {
		t.Helper()
		clk.Add(after)
		before := len(sim.Received())
		e.Deliver(context.Background())
		return len(sim.Received()) > before
	}
	sim.Next(http.StatusInternalServerError, "rollup_error")
	if !due(0) {
		t.Fatal("first attempt not made")
	}
	// After failure k the wait is 2s·2^k, jittered down to half of it.
	for k, wait := range []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second} {
		sim.Next(http.StatusInternalServerError, "rollup_error")
		if due(wait/2 - time.Millisecond) {
			t.Fatalf("retry %d made before %s", k+1, wait/2)
		}
		if !due(wait/2 + time.Millisecond) {
			t.Fatalf("retry %d not made after %s", k+1, wait)
		}
	}
	for range 8 {
		sim.Next(http.StatusInternalServerError, "rollup_error")
		clk.Add(5 * time.Minute)
		e.Deliver(context.Background())
	}
	sim.Next(http.StatusInternalServerError, "rollup_error")
	clk.Add(5 * time.Minute)
	e.Deliver(context.Background()) // attempt 12 fails: the wait is the 5 min cap
	if due(5*time.Minute - time.Millisecond) {
		t.Fatal("retried before the 5 min cap")
	}
	if !due(time.Millisecond) || len(sim.Posted()) != 1 {
		t.Fatal("not retried at the 5 min cap")
	}
}

// TestDeliverRetryAfterOneSecond is the realistic case: Slack answers 429
// with Retry-After: 1, and a delivery once the wait is over (the first
// backoff, 1 to 4 s with its jitter, when longer) posts the notice.
func TestDeliverRetryAfterOneSecond(t *testing.T) {
	clk := newClock(t0)
	e, _, sim, _ := slackEngineAt(t, clk.Now, 2)
	sim.Next(http.StatusTooManyRequests, "1")
	if rep := e.Deliver(context.Background()); rep.Failed != 2 {
		t.Fatalf("first attempt: %+v", rep)
	}
	clk.Add(900 * time.Millisecond)
	if rep := e.Deliver(context.Background()); rep.Sent+rep.Failed != 0 {
		t.Fatalf("retried before Retry-After: %+v", rep)
	}
	clk.Add(3100 * time.Millisecond)
	if rep := e.Deliver(context.Background()); rep.Sent != 2 {
		t.Fatalf("4 s later: %+v, want the notice delivered", rep)
	}
	if got := len(sim.Received()); got != 2 {
		t.Errorf("requests = %d, want the 429 and one post", got)
	}
}

func TestDeliverGivesUpPermanentErrorsOnly(t *testing.T) {
	e, db, sim, _, _ := slackEngine(t, 2, 2, 2)
	sim.Next(http.StatusBadRequest, "invalid_blocks")
	rep := e.Deliver(context.Background())
	if rep.GivenUp != 2 || rep.Sent != 4 || rep.Failed != 0 {
		t.Fatalf("Deliver = %+v; want the first batch given up and the others sent", rep)
	}
	if ob := outbox(t, db); ob.GivenUp != 2 || ob.Pending != 0 {
		t.Errorf("outbox = %+v", ob)
	}
	if got := e.Observer.(*observer).delivered; !cmp.Equal(got, [][3]int{{4, 0, 2}}) {
		t.Errorf("observer saw %v", got)
	}
}

func TestDeliverGivesUpAfterAWeek(t *testing.T) {
	e, db, sim, _, clk := slackEngine(t, 1)
	clk.Add(7*24*time.Hour + time.Minute)
	sim.Next(http.StatusServiceUnavailable, "")
	if rep := e.Deliver(context.Background()); rep.GivenUp != 1 || rep.Failed != 0 {
		t.Fatalf("Deliver = %+v", rep)
	}
	if ob := outbox(t, db); ob.GivenUp != 1 || ob.Pending != 0 {
		t.Errorf("outbox = %+v", ob)
	}
	clk.Add(time.Hour)
	if rep := e.Deliver(context.Background()); rep.Sent+rep.Failed+rep.GivenUp != 0 {
		t.Errorf("a given-up notice came back: %+v", rep)
	}
}

// TestDeliverSurvivesANotifierPanic: a notifier that panics on one message
// gives up that message; the daemon and the other messages go on.
func TestDeliverSurvivesANotifierPanic(t *testing.T) {
	e, db, sim, sp, _ := slackEngine(t, 1, 1)
	sp.panicOn = "src-0"
	rep := e.Deliver(context.Background())
	if rep.GivenUp != 1 || rep.Sent != 1 || rep.Err == nil || !strings.Contains(rep.Err.Error(), "notifier panic") {
		t.Fatalf("Deliver = %+v", rep)
	}
	if ob := outbox(t, db); ob.GivenUp != 1 || ob.Pending != 0 || len(sim.Posted()) != 1 {
		t.Errorf("outbox = %+v, %d posted", ob, len(sim.Posted()))
	}
}

func TestDeliverWithoutNotifierKeepsNotices(t *testing.T) {
	e, db, _, _, _ := slackEngine(t, 3)
	e.Notifier = nil
	if rep := e.Deliver(context.Background()); rep != (watcher.DeliverReport{}) {
		t.Errorf("Deliver = %+v", rep)
	}
	if ob := outbox(t, db); ob.Pending != 3 {
		t.Errorf("pending = %d", ob.Pending)
	}
}
