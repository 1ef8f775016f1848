package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// enqueueAbout queues one notice of kind about finding id, created at.
func enqueueAbout(t *testing.T, db *store.DB, id int64, kind watcher.NoticeKind, at time.Time) {
	t.Helper()
	n := watcher.Notice{Kind: kind, Source: "src", Group: "poll/" + at.Format(time.RFC3339), CreatedAt: at,
		Finding: &watcher.Finding{ID: id, Source: "src", Rule: "test.rule", Severity: watcher.Warning, Title: "t", State: watcher.Open, DetectedAt: at}}
	if kind == watcher.NoticeDigest {
		n.Finding, n.Digest = nil, &watcher.Digest{Since: at.Add(-24 * time.Hour), Until: at}
	}
	if err := db.Enqueue(context.Background(), []watcher.Notice{n}); err != nil {
		t.Fatal(err)
	}
}

// TestClaimTakesAFindingsPendingNoticesTogether: when one notice of a
// finding is due, the claim brings the finding's other pending notices
// (even one still backing off), and every pending digest with a due one,
// oldest first, so delivery can keep their order or collapse them.
func TestClaimTakesAFindingsPendingNoticesTogether(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	enqueueAbout(t, db, 1, watcher.NoticeOpened, t0) // id 1
	enqueueAbout(t, db, 2, watcher.NoticeOpened, t0) // id 2
	enqueueAbout(t, db, 0, watcher.NoticeDigest, t0) // id 3
	first, err := db.ClaimNotices(ctx, "", "a", t0, time.Minute, 3)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{1, 2, 3}, noticeIDs(first)); diff != "" {
		t.Fatalf("first claim (-want +got):\n%s", diff)
	}
	if err := db.NoticesFailed(ctx, []int64{1, 3}, watcher.DeliveryFailure{At: t0, Next: t0.Add(time.Hour), Reason: "slack: HTTP 503"}); err != nil {
		t.Fatal(err)
	}
	if err := db.NoticesSent(ctx, []int64{2}, t0); err != nil {
		t.Fatal(err)
	}
	// Notices 1 and 3 failed and back off an hour; meanwhile finding 1
	// resolves and a new digest is written.
	enqueueAbout(t, db, 1, watcher.NoticeResolved, t0.Add(time.Minute)) // id 4
	enqueueAbout(t, db, 0, watcher.NoticeDigest, t0.Add(24*time.Hour))  // id 5
	// At t0+1m only the resolution of finding 1 is due, yet the claim
	// takes its opening too.
	got, err := db.ClaimNotices(ctx, "", "b", t0.Add(time.Minute), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{1, 4}, noticeIDs(got)); diff != "" {
		t.Errorf("claim of finding 1 (-want +got):\n%s", diff)
	}
	if err := db.NoticesSent(ctx, []int64{1, 4}, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// A day later the newer digest is due: the older one comes along.
	got, err = db.ClaimNotices(ctx, "", "c", t0.Add(24*time.Hour), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{3, 5}, noticeIDs(got)); diff != "" {
		t.Errorf("claim of the digests (-want +got):\n%s", diff)
	}
}

// TestClaimLeavesAFindingAnotherDelivererHolds: a finding one deliverer
// holds a notice of is not split: another gets none of its notices until
// the lease ends.
func TestClaimLeavesAFindingAnotherDelivererHolds(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	enqueueAbout(t, db, 1, watcher.NoticeOpened, t0) // id 1
	if got, err := db.ClaimNotices(ctx, "", "a", t0, time.Minute, 10); err != nil || len(got) != 1 {
		t.Fatalf("claim a = %v, %v", noticeIDs(got), err)
	}
	enqueueAbout(t, db, 1, watcher.NoticeResolved, t0.Add(10*time.Second)) // id 2
	enqueueAbout(t, db, 9, watcher.NoticeOpened, t0.Add(10*time.Second))   // id 3
	got, err := db.ClaimNotices(ctx, "", "b", t0.Add(20*time.Second), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{3}, noticeIDs(got)); diff != "" {
		t.Errorf("claim b while a holds finding 1 (-want +got):\n%s", diff)
	}
}

// TestStartAttemptChecksTheClaim: right before a post the deliverer must
// still hold every notice; then the attempt is recorded and its claims
// renewed. A deliverer whose lease ran out and was taken over posts
// nothing.
func TestStartAttemptChecksTheClaim(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	enqueueNotices(t, db, 3)
	a, err := db.ClaimNotices(ctx, "", "a", t0, time.Minute, 10)
	if err != nil || len(a) != 3 {
		t.Fatalf("claim = %v, %v", noticeIDs(a), err)
	}
	at := t0.Add(50 * time.Second)
	if ok, err := db.StartAttempt(ctx, "a", []int64{a[0].ID}, at, at.Add(time.Minute)); err != nil || !ok {
		t.Fatalf("StartAttempt by the holder = %v, %v", ok, err)
	}
	// The renewal covers all of a's claims: nothing is free at t0+61s.
	if got, _ := db.ClaimNotices(ctx, "", "b", t0.Add(61*time.Second), time.Minute, 10); len(got) != 0 {
		t.Errorf("claim after a renewed = %v, want none", noticeIDs(got))
	}
	// a stalls past the renewed lease; b takes over.
	late := at.Add(time.Minute + time.Second)
	b, err := db.ClaimNotices(ctx, "", "b", late, time.Minute, 10)
	if err != nil || len(b) != 3 {
		t.Fatalf("claim after a's lease = %v, %v", noticeIDs(b), err)
	}
	if b[0].AttemptedAt.IsZero() || !b[0].AttemptedAt.Equal(at) || !b[1].AttemptedAt.IsZero() {
		t.Errorf("AttemptedAt = %v, %v; want the first attempt's start on the attempted notice only", b[0].AttemptedAt, b[1].AttemptedAt)
	}
	if ok, err := db.StartAttempt(ctx, "a", []int64{a[1].ID}, late, late.Add(time.Minute)); err != nil || ok {
		t.Errorf("StartAttempt by a after b took over = %v, %v; want refused", ok, err)
	}
	if ok, err := db.StartAttempt(ctx, "b", []int64{a[1].ID, a[2].ID}, late, late.Add(time.Minute)); err != nil || !ok {
		t.Errorf("StartAttempt by b = %v, %v", ok, err)
	}
	// a releasing what b holds changes nothing.
	if err := db.ReleaseNotices(ctx, "a", noticeIDs(a), late); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.ClaimNotices(ctx, "", "c", late, time.Minute, 10); len(got) != 0 {
		t.Errorf("claim after a's stale release = %v, want none", noticeIDs(got))
	}
}

// TestAttemptStartKeptUntilSent: a failed attempt may still have posted
// (a client timeout), so its start stays through failures and later
// attempts; it goes when Slack refuses the message or the notice is sent.
func TestAttemptStartKeptUntilSent(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	enqueueNotices(t, db, 1)
	claim := func(at time.Time) watcher.Notice {
		t.Helper()
		ns, err := db.ClaimNotices(ctx, "", "a", at, time.Minute, 10)
		if err != nil || len(ns) != 1 {
			t.Fatalf("claim at %v = %v, %v", at, noticeIDs(ns), err)
		}
		return ns[0]
	}
	n := claim(t0)
	if ok, err := db.StartAttempt(ctx, "a", []int64{n.ID}, t0, t0.Add(time.Minute)); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if err := db.NoticesFailed(ctx, []int64{n.ID}, watcher.DeliveryFailure{At: t0, Next: t0.Add(time.Minute), Reason: "slack: timeout"}); err != nil {
		t.Fatal(err)
	}
	n = claim(t0.Add(time.Minute))
	if !n.AttemptedAt.Equal(t0) {
		t.Fatalf("AttemptedAt after a failure = %v, want %v", n.AttemptedAt, t0)
	}
	if ok, err := db.StartAttempt(ctx, "a", []int64{n.ID}, t0.Add(time.Minute), t0.Add(2*time.Minute)); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if err := db.ReleaseNotices(ctx, "a", []int64{n.ID}, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	n = claim(t0.Add(time.Minute))
	if !n.AttemptedAt.Equal(t0) {
		t.Errorf("AttemptedAt after a second attempt = %v, want the first's %v", n.AttemptedAt, t0)
	}
	// Slack refusing the message ends the doubt.
	if err := db.NoticesFailed(ctx, []int64{n.ID}, watcher.DeliveryFailure{At: t0.Add(time.Minute), Next: t0.Add(2 * time.Minute),
		Reason: "slack: channel_not_found", Refused: true}); err != nil {
		t.Fatal(err)
	}
	if n = claim(t0.Add(2 * time.Minute)); !n.AttemptedAt.IsZero() {
		t.Errorf("AttemptedAt after a refusal = %v, want none", n.AttemptedAt)
	}
	if ok, err := db.StartAttempt(ctx, "a", []int64{n.ID}, t0.Add(2*time.Minute), t0.Add(3*time.Minute)); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if err := db.NoticesSent(ctx, []int64{n.ID}, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, err := db.ClaimNotices(ctx, "", "a", t0.Add(time.Hour), time.Minute, 10); err != nil || len(n) != 0 {
		t.Errorf("claim after sent = %v, %v", noticeIDs(n), err)
	}
}
