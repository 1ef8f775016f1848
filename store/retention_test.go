package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// snapshotIDs lists a source's stored snapshot IDs, oldest first.
func snapshotIDs(tb testing.TB, db *store.DB, source string) []int64 {
	tb.Helper()
	infos, err := db.Snapshots(context.Background(), source)
	if err != nil {
		tb.Fatal(err)
	}
	out := make([]int64, len(infos))
	for i, s := range infos {
		out[len(infos)-1-i] = s.ID
	}
	return out
}

// commitDoc stores body as a changed fetch whose rules returned fs.
func commitDoc(tb testing.TB, db *store.DB, source string, at time.Time, body string, fs ...watcher.Finding) int64 {
	tb.Helper()
	ctx := context.Background()
	st, err := db.SourceState(ctx, source)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := db.Commit(ctx, &watcher.Commit{
		Source: source, Type: "http_json", At: at, BaseHash: st.LastHash,
		Snapshot: &watcher.NewSnapshot{Hash: hashOf(body), Body: []byte(body)},
		Judged:   true, Findings: fs, JudgedKey: "k",
	})
	if err != nil {
		tb.Fatalf("Commit %s: %v", source, err)
	}
	return res.SnapshotID
}

func TestRetentionKeepsNewest(t *testing.T) {
	db, _ := mustOpen(t)
	db.KeepSnapshots = 3
	var all []int64
	for i := range 10 {
		all = append(all, commitDoc(t, db, "a", t0.Add(time.Duration(i)*time.Hour), fmt.Sprintf(`{"v":%d}`, i)))
		// Another source's history is its own business.
		commitDoc(t, db, "b", t0.Add(time.Duration(i)*time.Hour), fmt.Sprintf(`{"w":%d}`, i))
	}
	if diff := cmp.Diff(all[7:], snapshotIDs(t, db, "a")); diff != "" {
		t.Errorf("kept snapshots of a (-want +got):\n%s", diff)
	}
	if n := len(snapshotIDs(t, db, "b")); n != 3 {
		t.Errorf("b keeps %d snapshots, want 3", n)
	}
	latest, err := db.LatestSnapshot(context.Background(), "a")
	if err != nil || string(latest.Body) != `{"v":9}` {
		t.Fatalf("latest = %v, %v; want the last document", latest, err)
	}
	prev, err := db.PreviousSnapshot(context.Background(), "a", latest.ID)
	if err != nil || string(prev.Body) != `{"v":8}` {
		t.Fatalf("previous = %v, %v; want the one before (diff's default pair)", prev, err)
	}
}

func TestRetentionOffKeepsAll(t *testing.T) {
	db, _ := mustOpen(t)
	for i := range 6 {
		commitDoc(t, db, "a", t0.Add(time.Duration(i)*time.Hour), fmt.Sprintf(`{"v":%d}`, i))
	}
	if n := len(snapshotIDs(t, db, "a")); n != 6 {
		t.Errorf("KeepSnapshots 0 kept %d of 6 snapshots", n)
	}
}

// TestRetentionSparesOpenFindings: the snapshot an open finding points to,
// and the one before it, survive until the finding resolves.
func TestRetentionSparesOpenFindings(t *testing.T) {
	db, _ := mustOpen(t)
	db.KeepSnapshots = 2
	ctx := context.Background()
	f := watcher.Finding{Rule: "auth0.url_removed", Severity: watcher.Warning, Category: watcher.Configuration,
		Path: "/clients/web/callbacks", Subject: "https://app/cb", Title: "callback removed"}
	// g holds from the baseline on (a state rule): its snapshot has none
	// before it.
	g := watcher.Finding{Rule: "threshold.above", Severity: watcher.Warning, Category: watcher.Infrastructure,
		Path: "/cpu", Title: "cpu above 90"}
	base := commitDoc(t, db, "a", t0, `{"v":0}`, g)
	revealed := commitDoc(t, db, "a", t0.Add(time.Hour), `{"v":1}`, f, g)
	var later []int64
	for i := 2; i < 8; i++ { // the conditions still hold: the rules return them every time
		later = append(later, commitDoc(t, db, "a", t0.Add(time.Duration(i)*time.Hour), fmt.Sprintf(`{"v":%d}`, i), f, g))
	}
	want := append([]int64{base, revealed}, later[len(later)-2:]...)
	if diff := cmp.Diff(want, snapshotIDs(t, db, "a")); diff != "" {
		t.Fatalf("kept snapshots while the finding is open (-want +got):\n%s", diff)
	}
	open, err := db.Findings(ctx, watcher.FindingFilter{States: []watcher.State{watcher.Open}})
	if err != nil || len(open) != 2 || open[0].SnapshotID != revealed || open[1].SnapshotID != base {
		t.Fatalf("open findings = %+v, %v; want them revealed by snapshots %d and %d", open, err, revealed, base)
	}
	if _, err := db.Snapshot(ctx, "a", open[0].SnapshotID); err != nil {
		t.Fatalf("the finding's snapshot is gone: %v", err)
	}

	// g resolves (its rule no longer returns it); f still holds: base
	// stays only as the snapshot before f's.
	commitDoc(t, db, "a", t0.Add(10*time.Hour), `{"v":10}`, f)
	commitDoc(t, db, "a", t0.Add(11*time.Hour), `{"v":11}`, f)
	if ids := snapshotIDs(t, db, "a"); len(ids) != 4 || ids[0] != base || ids[1] != revealed {
		t.Fatalf("with f still open, kept %v; want its pair and the 2 newest", ids)
	}
	// Acknowledged: a person has seen it, its snapshots may go.
	if err := db.Ack(ctx, []int64{open[0].ID}, "known", t0.Add(12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	commitDoc(t, db, "a", t0.Add(12*time.Hour), `{"v":12}`, f)
	if ids := snapshotIDs(t, db, "a"); len(ids) != 2 || ids[0] <= revealed {
		t.Fatalf("after the finding was acknowledged, kept %v; want the 2 newest", ids)
	}
	if fs, _ := db.Findings(ctx, watcher.FindingFilter{ID: []int64{open[0].ID}}); len(fs) != 1 || fs[0].Title != f.Title {
		t.Fatalf("the acknowledged finding itself is gone: %+v", fs)
	}
}

// TestRetentionNotOnUnchangedPoll: an unchanged fetch writes fetch status
// only, so it never prunes, even when the limit was lowered meanwhile.
func TestRetentionNotOnUnchangedPoll(t *testing.T) {
	db, path := mustOpen(t)
	ctx := context.Background()
	for i := range 5 {
		commitDoc(t, db, "a", t0.Add(time.Duration(i)*time.Hour), fmt.Sprintf(`{"v":%d}`, i))
	}
	db.KeepSnapshots = 2
	raw := rawDB(t, path)
	if _, err := db.Commit(ctx, &watcher.Commit{Source: "a", Type: "http_json", At: t0.Add(6 * time.Hour),
		BaseHash: hashOf(`{"v":4}`)}); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, raw, "SELECT count(*) FROM snapshots"); n != 5 {
		t.Fatalf("an unchanged commit pruned: %d snapshots left of 5", n)
	}
	commitDoc(t, db, "a", t0.Add(7*time.Hour), `{"v":7}`)
	if n := queryInt(t, raw, "SELECT count(*) FROM snapshots"); n != 2 {
		t.Fatalf("the next stored snapshot left %d, want 2", n)
	}
}

// TestRetentionReusesFreePages: pruning without VACUUM keeps the file at a
// steady size, because new snapshots take the pages old ones freed.
func TestRetentionReusesFreePages(t *testing.T) {
	db, path := mustOpen(t)
	db.KeepSnapshots = 4
	raw := rawDB(t, path)
	body := func() string { // incompressible, ~6 KB: two overflow pages
		b := make([]byte, 3000)
		rand.Read(b)
		return fmt.Sprintf(`{"blob":%q}`, hex.EncodeToString(b))
	}
	pages := func() int { return queryInt(t, raw, "PRAGMA page_count") }
	checkpoint := func() {
		if _, err := raw.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		commitDoc(t, db, "a", t0.Add(time.Duration(i)*time.Hour), body())
	}
	checkpoint()
	steady := pages()
	for i := 20; i < 120; i++ {
		commitDoc(t, db, "a", t0.Add(time.Duration(i)*time.Hour), body())
	}
	checkpoint()
	if got := pages(); got > steady+2 {
		t.Errorf("file grew from %d to %d pages over 100 more snapshots with 4 kept: freed pages not reused", steady, got)
	}
	if n := queryInt(t, raw, "SELECT count(*) FROM snapshots"); n != 4 {
		t.Errorf("%d snapshots kept, want 4", n)
	}
}

// BenchmarkCommitSnapshot is the commit of a changed poll on a source
// that already has 1,000 snapshots, with every snapshot kept and with
// retention pruning (the cost pruning adds to each stored snapshot).
func BenchmarkCommitSnapshot(b *testing.B) {
	for _, keep := range []int{0, 168} {
		b.Run(fmt.Sprintf("keep=%d", keep), func(b *testing.B) {
			db, _ := mustOpen(b)
			for i := range 1000 {
				commitDoc(b, db, "a", t0.Add(time.Duration(i)*time.Minute), fmt.Sprintf(`{"v":%d,"pad":%q}`, i, strings.Repeat("x", 500)))
			}
			db.KeepSnapshots = keep
			i := 1000
			b.ReportAllocs()
			for b.Loop() {
				i++
				commitDoc(b, db, "a", t0.Add(time.Duration(i)*time.Minute), fmt.Sprintf(`{"v":%d,"pad":%q}`, i, strings.Repeat("x", 500)))
			}
		})
	}
}
