package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// enqueueNotices queues n notices created at t0, each about its own
// finding of its own source.
func enqueueNotices(t testing.TB, db *store.DB, n int) {
	t.Helper()
	ns := make([]watcher.Notice, n)
	for i := range ns {
		src := fmt.Sprintf("src-%03d", i)
		ns[i] = watcher.Notice{Kind: watcher.NoticeOpened, Source: src, Group: "poll/" + src, CreatedAt: t0,
			Finding: &watcher.Finding{ID: int64(1000 + i), Source: src, Rule: "test.rule", Severity: watcher.Warning,
				Title: fmt.Sprintf("finding %d", i), State: watcher.Open, DetectedAt: t0}}
	}
	if err := db.Enqueue(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
}

func noticeIDs(ns []watcher.Notice) []int64 {
	out := make([]int64, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

func TestClaimLease(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	enqueueNotices(t, db, 5)

	a, err := db.ClaimNotices(ctx, "", "a", t0, time.Minute, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 3 || a[0].Source != "src-000" || a[2].Source != "src-002" {
		t.Fatalf("first claim = %v, want the oldest three", noticeIDs(a))
	}
	b, err := db.ClaimNotices(ctx, "", "b", t0.Add(30*time.Second), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 2 || b[0].Source != "src-003" {
		t.Errorf("claim during the lease = %v, want only the two unclaimed", noticeIDs(b))
	}
	if c, _ := db.ClaimNotices(ctx, "", "c", t0.Add(59*time.Second), time.Minute, 10); len(c) != 0 {
		t.Errorf("claim before any lease ends = %v, want none", noticeIDs(c))
	}
	// a's lease ended (a crashed): its notices are due again.
	c, err := db.ClaimNotices(ctx, "", "c", t0.Add(61*time.Second), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(noticeIDs(a), noticeIDs(c)); diff != "" {
		t.Errorf("claim after a's lease (-a's +got):\n%s", diff)
	}
	if c[0].Attempts != 0 {
		t.Errorf("a lapsed lease counted as an attempt: %d", c[0].Attempts)
	}
}

func TestNoticeOutcomes(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	enqueueNotices(t, db, 4)
	ns, err := db.ClaimNotices(ctx, "", "a", t0, time.Minute, 10)
	if err != nil || len(ns) != 4 {
		t.Fatalf("claim = %d, %v", len(ns), err)
	}
	sent, failed, gaveUp, released := ns[0].ID, ns[1].ID, ns[2].ID, ns[3].ID
	at := t0.Add(time.Second)
	if err := db.NoticesSent(ctx, []int64{sent}, at); err != nil {
		t.Fatal(err)
	}
	if err := db.NoticesFailed(ctx, []int64{failed}, watcher.DeliveryFailure{At: at, Next: at.Add(5 * time.Minute), Reason: "slack: 429 (retry after 5m0s)"}); err != nil {
		t.Fatal(err)
	}
	if err := db.NoticesFailed(ctx, []int64{gaveUp}, watcher.DeliveryFailure{At: at, Next: at, Reason: "slack: invalid_blocks", GiveUp: true}); err != nil {
		t.Fatal(err)
	}
	if err := db.ReleaseNotices(ctx, "a", []int64{released}, at.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	for _, empty := range [][]int64{nil, {}} {
		if err := db.NoticesSent(ctx, empty, at); err != nil {
			t.Errorf("NoticesSent(none): %v", err)
		}
	}

	stats, err := db.OutboxStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (watcher.OutboxStats{Pending: 2, GivenUp: 1, LastError: "slack: invalid_blocks"}); stats != want {
		t.Errorf("OutboxStats = %+v, want %+v", stats, want)
	}

	claim := func(now time.Time) []watcher.Notice {
		t.Helper()
		got, err := db.ClaimNotices(ctx, "", "b", now, time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		ids := noticeIDs(got)
		if err := db.ReleaseNotices(ctx, "b", ids, now); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := claim(at.Add(time.Minute)); len(got) != 0 {
		t.Errorf("claim before any is due = %v, want none", noticeIDs(got))
	}
	got := claim(at.Add(2 * time.Minute))
	if len(got) != 1 || got[0].ID != released || got[0].Attempts != 0 {
		t.Errorf("claim at the release time = %+v, want the released one with no attempt counted", got)
	}
	got = claim(at.Add(5 * time.Minute))
	if diff := cmp.Diff([]int64{failed, released}, noticeIDs(got)); diff != "" {
		t.Errorf("claim once the retry is due (-want +got):\n%s", diff)
	}
	if got[0].Attempts != 1 {
		t.Errorf("failed notice Attempts = %d, want 1", got[0].Attempts)
	}
	// Failing again counts again; the sent and given-up ones never return.
	if err := db.NoticesFailed(ctx, []int64{failed}, watcher.DeliveryFailure{At: at.Add(6 * time.Minute), Next: at.Add(7 * time.Minute), Reason: "slack: 500"}); err != nil {
		t.Fatal(err)
	}
	got = claim(at.Add(time.Hour))
	if diff := cmp.Diff([]int64{failed, released}, noticeIDs(got)); diff != "" {
		t.Errorf("final claim (-want +got):\n%s", diff)
	}
	if got[0].Attempts != 2 {
		t.Errorf("Attempts = %d, want 2", got[0].Attempts)
	}
}

// TestConcurrentClaims runs two processes' worth of deliverers, each with
// its own store handle on the same file: no notice is handed to both.
func TestConcurrentClaims(t *testing.T) {
	_, path := mustOpen(t)
	h1, h2 := mustOpenAt(t, path), mustOpenAt(t, path)
	const total = 120
	enqueueNotices(t, h1, total)

	var mu sync.Mutex
	owner := map[int64]string{}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for name, db := range map[string]*store.DB{"a": h1, "b": h2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			for {
				ns, err := db.ClaimNotices(ctx, "", name, t0, 10*time.Minute, 7)
				if err != nil {
					errs <- err
					return
				}
				if len(ns) == 0 {
					return
				}
				mu.Lock()
				for _, n := range ns {
					if prev, dup := owner[n.ID]; dup {
						errs <- fmt.Errorf("notice %d claimed by %s and %s", n.ID, prev, name)
					}
					owner[n.ID] = name
				}
				mu.Unlock()
				if err := db.NoticesSent(ctx, noticeIDs(ns), t0); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(owner) != total {
		t.Errorf("%d notices delivered, want %d", len(owner), total)
	}
	if stats, _ := h1.OutboxStats(context.Background()); stats.Pending != 0 {
		t.Errorf("%d notices still pending", stats.Pending)
	}
}

func TestNoticePayloadRoundTrip(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	resolvedAt := t0.Add(-time.Hour)
	f := watcher.Finding{ID: 7, Source: "auth0-spa-js", Rule: "release.breaking_notes", Severity: watcher.Warning, Category: watcher.ThirdParty,
		Path: "/releases/v3.0.0", Subject: "v3.0.0", Title: "auth0-spa-js v3.0.0 notes mention breaking changes",
		Detail: "matched: BREAKING", State: watcher.Resolved, DetectedAt: t0.Add(-48 * time.Hour), ResolvedAt: &resolvedAt,
		SnapshotID: 12, Old: "2.1.3", New: "v3.0.0", Excerpt: "BREAKING: <!channel> dropped IE11 & more", Note: "the web app's SDK"}
	d := &watcher.Digest{Since: t0.Add(-168 * time.Hour), Until: t0, Sources: []watcher.DigestSource{{
		Name: "auth0-spa-js", Type: "github_releases", Snapshots: 3,
		New:          []watcher.DigestItem{{Key: "v3.0.0", Title: "v3.0.0", URL: "https://github.com/auth0/auth0-spa-js/releases/tag/v3.0.0"}},
		Changes:      []diff.Change{{Path: "/latest", Op: diff.Changed, Old: json.RawMessage(`"v2.2.0"`), New: json.RawMessage(`"v3.0.0"`)}},
		ChangesTotal: 9,
		Opened:       []watcher.Finding{f},
		Resolved:     []watcher.Finding{f},
		StillOpen:    []watcher.Finding{f},
	}}}
	in := []watcher.Notice{
		{Kind: watcher.NoticeResolved, Source: f.Source, Group: "p1/auth0-spa-js", Finding: &f, CreatedAt: t0},
		{Kind: watcher.NoticeDigest, Group: "digest", Digest: d, CreatedAt: t0},
	}
	if err := db.Enqueue(ctx, in); err != nil {
		t.Fatal(err)
	}
	out, err := db.ClaimNotices(ctx, "", "a", t0, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		in[i].ID = out[i].ID
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("notices round trip (-in +out):\n%s", diff)
	}
}

func TestOutboxPrunesOldDeliveredNotices(t *testing.T) {
	db, path := mustOpen(t)
	ctx := context.Background()
	deliver := func(at time.Time) int64 {
		t.Helper()
		if err := db.Enqueue(ctx, []watcher.Notice{{Kind: watcher.NoticeDigest, Group: at.String(), Digest: &watcher.Digest{}, CreatedAt: at}}); err != nil {
			t.Fatal(err)
		}
		ns, err := db.ClaimNotices(ctx, "", "me", at, time.Minute, 10)
		if err != nil || len(ns) != 1 {
			t.Fatalf("claim: %v %v", ns, err)
		}
		if err := db.NoticesSent(ctx, []int64{ns[0].ID}, at); err != nil {
			t.Fatal(err)
		}
		return ns[0].ID
	}
	deliver(t0)
	recent := deliver(t0.Add(40 * 24 * time.Hour))
	raw := rawDB(t, path)
	if n := queryInt(t, raw, "SELECT count(*) FROM outbox"); n != 1 {
		t.Fatalf("%d notices kept, want only the recent one", n)
	}
	if id := queryInt(t, raw, "SELECT id FROM outbox"); int64(id) != recent {
		t.Fatalf("kept notice %d, want %d", id, recent)
	}
}
