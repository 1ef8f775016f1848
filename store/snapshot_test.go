package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/driftwatch/driftwatch/watcher"
)

func TestCommitWithAndWithoutSnapshot(t *testing.T) {
	db, path := mustOpen(t)
	ctx := context.Background()
	raw := rawDB(t, path)

	state := watcher.FetchState{
		Validators: map[string]watcher.Validator{"https://example.com/api": {ETag: `W/"abc"`, LastModified: "Mon, 02 Nov 2026 08:00:00 GMT"}},
		Memo:       map[string]string{"actions_read_at": "2026-11-02T08:00:00Z"},
		Last:       func() (any, error) { return nil, nil }, // not stored
	}
	body1 := `{"plan":"pro","metrics":{"cpu_percent":41}}`
	res, err := db.Commit(ctx, &watcher.Commit{
		Source: "orders-db", Type: "http_json", At: t0, Fetch: state,
		Snapshot: &watcher.NewSnapshot{Hash: hashOf(body1), Body: []byte(body1)},
		Judged:   true, JudgedKey: "rules-v1|2026-11-02",
	})
	if err != nil {
		t.Fatalf("Commit with snapshot: %v", err)
	}
	if res.SnapshotID == 0 {
		t.Fatal("Commit with snapshot returned no snapshot ID")
	}
	first := res.SnapshotID

	st, err := db.SourceState(ctx, "orders-db")
	if err != nil {
		t.Fatal(err)
	}
	if st.LastHash != hashOf(body1) || st.JudgedKey != "rules-v1|2026-11-02" || st.Type != "http_json" {
		t.Errorf("state = hash %q judged %q type %q; want the committed ones", st.LastHash, st.JudgedKey, st.Type)
	}
	state.Last = nil
	if diff := cmp.Diff(state, st.Fetch, cmp.Comparer(func(a, b func() (any, error)) bool { return a == nil && b == nil })); diff != "" {
		t.Errorf("fetch state round trip (-want +got):\n%s", diff)
	}
	if st.LastSuccessAt == nil || !st.LastSuccessAt.Equal(t0) || st.LastAttemptAt == nil || !st.LastAttemptAt.Equal(t0) {
		t.Errorf("LastSuccessAt, LastAttemptAt = %v, %v; want %v", st.LastSuccessAt, st.LastAttemptAt, t0)
	}

	// An unchanged fetch writes no snapshot and points at the newest one;
	// not judged, it keeps the judged key.
	res, err = db.Commit(ctx, &watcher.Commit{Source: "orders-db", Type: "http_json", At: t0.Add(time.Hour), BaseHash: hashOf(body1)})
	if err != nil {
		t.Fatalf("Commit without snapshot: %v", err)
	}
	if res.SnapshotID != first {
		t.Errorf("unchanged commit SnapshotID = %d, want %d", res.SnapshotID, first)
	}
	if n := queryInt(t, raw, "SELECT count(*) FROM snapshots"); n != 1 {
		t.Errorf("%d snapshots stored, want 1", n)
	}
	st, _ = db.SourceState(ctx, "orders-db")
	if st.JudgedKey != "rules-v1|2026-11-02" || st.LastHash != hashOf(body1) || !st.LastSuccessAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("after unchanged commit: judged %q hash %q success %v", st.JudgedKey, st.LastHash, st.LastSuccessAt)
	}
	if len(st.Fetch.Validators) != 0 || len(st.Fetch.Memo) != 0 {
		t.Errorf("fetch state = %+v, want the (empty) state of the last commit", st.Fetch)
	}

	body2 := `{"plan":"max","metrics":{"cpu_percent":43}}`
	res = storeDoc(t, db, "orders-db", t0.Add(2*time.Hour), body2)
	if res.SnapshotID <= first {
		t.Errorf("second snapshot ID %d, want > %d", res.SnapshotID, first)
	}
	s, err := db.LatestSnapshot(ctx, "orders-db")
	if err != nil {
		t.Fatal(err)
	}
	want := watcher.Snapshot{ID: res.SnapshotID, Source: "orders-db", FetchedAt: t0.Add(2 * time.Hour), Hash: hashOf(body2), Body: []byte(body2)}
	if diff := cmp.Diff(want, *s); diff != "" {
		t.Errorf("LatestSnapshot (-want +got):\n%s", diff)
	}
}

// TestCommitFromStaleBase: a poll that began before another process stored
// a snapshot must not store a diff against the wrong base.
func TestCommitFromStaleBase(t *testing.T) {
	db, path := mustOpen(t)
	ctx := context.Background()
	raw := rawDB(t, path)
	a, b, c := `{"v":1}`, `{"v":2}`, `{"v":3}`
	storeDoc(t, db, "orders-db", t0, a)
	storeDoc(t, db, "orders-db", t0.Add(time.Minute), b) // the other process

	_, err := db.Commit(ctx, &watcher.Commit{Source: "orders-db", At: t0.Add(2 * time.Minute), BaseHash: hashOf(a),
		Snapshot: &watcher.NewSnapshot{Hash: hashOf(c), Body: []byte(c)}})
	if !errors.Is(err, watcher.ErrConflict) {
		t.Fatalf("Commit from a stale base = %v, want ErrConflict", err)
	}
	if n := queryInt(t, raw, "SELECT count(*) FROM snapshots"); n != 2 {
		t.Errorf("%d snapshots after a conflict, want 2", n)
	}
	st, _ := db.SourceState(ctx, "orders-db")
	if !st.LastSuccessAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("LastSuccessAt = %v: the conflicting commit was not rolled back", st.LastSuccessAt)
	}

	// The same document the other process stored: no second copy, no error.
	res, err := db.Commit(ctx, &watcher.Commit{Source: "orders-db", At: t0.Add(3 * time.Minute), BaseHash: hashOf(a),
		Snapshot: &watcher.NewSnapshot{Hash: hashOf(b), Body: []byte(b)}})
	if err != nil {
		t.Fatalf("Commit of the document stored meanwhile: %v", err)
	}
	if n := queryInt(t, raw, "SELECT count(*) FROM snapshots"); n != 2 {
		t.Errorf("%d snapshots, want 2", n)
	}
	if latest, _ := db.LatestSnapshot(ctx, "orders-db"); res.SnapshotID != latest.ID {
		t.Errorf("SnapshotID = %d, want the stored one %d", res.SnapshotID, latest.ID)
	}
}

func TestSnapshotBodies(t *testing.T) {
	db, path := mustOpen(t)
	ctx := context.Background()
	raw := rawDB(t, path)

	var big strings.Builder
	big.WriteString(`{"clients":{`)
	for i := range 200 {
		fmt.Fprintf(&big, `"client %03d":{"callbacks":["https://app%d.example.com/callback"],"grant_types":["authorization_code"]},`, i, i)
	}
	big.WriteString(`"z":{}}}`)
	noise := make([]byte, 3000)
	rand.Read(noise)

	tests := []struct {
		name, source, body, encoding string
	}{
		{"small stays plain", "small", `{"plan":"pro"}`, "identity"},
		{"just under 1 KiB stays plain", "under", `"` + strings.Repeat("a", 1021) + `"`, "identity"},
		{"over 1 KiB is gzipped", "big", big.String(), "gzip"},
		{"incompressible stays plain", "noise", string(noise), "identity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storeDoc(t, db, tt.source, t0, tt.body)
			var enc string
			var size, stored int
			if err := raw.QueryRow("SELECT encoding, size, length(body) FROM snapshots WHERE source = ?", tt.source).Scan(&enc, &size, &stored); err != nil {
				t.Fatal(err)
			}
			if enc != tt.encoding || size != len(tt.body) {
				t.Errorf("encoding %s, size %d; want %s, %d", enc, size, tt.encoding, len(tt.body))
			}
			if enc == "gzip" && stored >= size/2 {
				t.Errorf("gzip stored %d bytes of %d", stored, size)
			}
			s, err := db.LatestSnapshot(ctx, tt.source)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(s.Body, []byte(tt.body)) {
				t.Errorf("body read back differs (%d bytes, want %d)", len(s.Body), len(tt.body))
			}
			if s2, err := db.Snapshot(ctx, tt.source, s.ID); err != nil || !bytes.Equal(s2.Body, s.Body) {
				t.Errorf("Snapshot(%d) = %v, %v", s.ID, s2, err)
			}
		})
	}
}

func TestSnapshotListings(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	// Two sources polled alternately, an hour apart.
	var orders, feed []int64
	for i := range 4 {
		at := t0.Add(time.Duration(2*i) * time.Hour)
		orders = append(orders, storeDoc(t, db, "orders-db", at, fmt.Sprintf(`{"v":%d}`, i)).SnapshotID)
		feed = append(feed, storeDoc(t, db, "feed", at.Add(time.Hour), fmt.Sprintf(`{"e":%d}`, i)).SnapshotID)
	}

	infos, err := db.Snapshots(ctx, "orders-db")
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, s := range infos {
		got = append(got, s.ID)
		if s.Source != "orders-db" || s.Hash == "" || s.FetchedAt.IsZero() {
			t.Errorf("snapshot info %+v incomplete", s)
		}
	}
	if diff := cmp.Diff([]int64{orders[3], orders[2], orders[1], orders[0]}, got); diff != "" {
		t.Errorf("Snapshots newest first (-want +got):\n%s", diff)
	}
	if infos[0].FetchedAt != t0.Add(6*time.Hour) {
		t.Errorf("newest fetched_at = %v, want %v", infos[0].FetchedAt, t0.Add(6*time.Hour))
	}
	if none, err := db.Snapshots(ctx, "unknown"); err != nil || len(none) != 0 {
		t.Errorf("Snapshots(unknown) = %v, %v; want none", none, err)
	}

	prev, err := db.PreviousSnapshot(ctx, "orders-db", orders[2])
	if err != nil || prev.ID != orders[1] || string(prev.Body) != `{"v":1}` {
		t.Errorf("PreviousSnapshot(%d) = %+v, %v; want %d", orders[2], prev, err, orders[1])
	}
	if _, err := db.PreviousSnapshot(ctx, "orders-db", orders[0]); !errors.Is(err, watcher.ErrNotFound) {
		t.Errorf("PreviousSnapshot of the first = %v, want ErrNotFound", err)
	}
	if _, err := db.Snapshot(ctx, "orders-db", feed[0]); !errors.Is(err, watcher.ErrNotFound) {
		t.Errorf("Snapshot of another source's ID = %v, want ErrNotFound", err)
	}
	if _, err := db.LatestSnapshot(ctx, "unknown"); !errors.Is(err, watcher.ErrNotFound) {
		t.Errorf("LatestSnapshot(unknown) = %v, want ErrNotFound", err)
	}

	// [since, until): from the second orders poll up to (not including)
	// the fourth, oldest first, both sources.
	between, err := db.SnapshotsBetween(ctx, t0.Add(2*time.Hour), t0.Add(6*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, s := range between {
		got = append(got, s.ID)
	}
	if diff := cmp.Diff([]int64{orders[1], feed[1], orders[2], feed[2]}, got); diff != "" {
		t.Errorf("SnapshotsBetween (-want +got):\n%s", diff)
	}
}
