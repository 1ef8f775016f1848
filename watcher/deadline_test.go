package watcher_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

// TestSourceTimeoutBoundsTheWholeFetch: a provider that pages slowly (each
// page waits on the upstream) is cut at the source's timeout, its failure
// recorded, nothing stored; the other sources are not held up.
func TestSourceTimeoutBoundsTheWholeFetch(t *testing.T) {
	db := openStore(t)
	slow := funcSource("slow", func(ctx context.Context, _ watcher.FetchState) (*watcher.Result, error) {
		for {
			select { // a page that never answers in time
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Millisecond):
			}
		}
	})
	slow.Timeout = 30 * time.Millisecond
	fast := funcSource("fast", func(context.Context, watcher.FetchState) (*watcher.Result, error) {
		return doc(map[string]any{"ok": true}), nil
	})
	e := &watcher.Engine{Sources: []*watcher.Runtime{slow, fast}, Store: db, Now: newClock(t0).Now}
	rep, err := e.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := rep.Sources[0]
	if got.Outcome != watcher.OutcomeFailed || !strings.Contains(got.Err.Error(), "the fetch took longer than the source's timeout of 30ms") {
		t.Errorf("slow = %+v", got)
	}
	if st := sourceState(t, db, "slow"); st.ConsecutiveFailures != 1 || !strings.Contains(st.LastError, "timeout") {
		t.Errorf("slow's failure not recorded: %+v", st)
	}
	if rep.Sources[1].Outcome != watcher.OutcomeBaseline {
		t.Errorf("fast = %+v", rep.Sources[1])
	}
	if rep.StoreErr() != nil {
		t.Errorf("a timeout counted as a store error: %v", rep.StoreErr())
	}
}

// TestStoreFailureIsReportedApartFromSourceFailures: a store that cannot
// be used is the store's error, not the source's.
func TestStoreFailureIsReportedApartFromSourceFailures(t *testing.T) {
	db := openStore(t)
	src := funcSource("api", func(context.Context, watcher.FetchState) (*watcher.Result, error) {
		return doc(map[string]any{"a": 1}), nil
	})
	e := &watcher.Engine{Sources: []*watcher.Runtime{src}, Store: db, Now: newClock(t0).Now}
	db.Close()
	rep, err := e.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var se *watcher.StoreError
	if serr := rep.StoreErr(); serr == nil || !errors.As(serr, &se) {
		t.Errorf("StoreErr = %v, want the closed store reported as a store error", serr)
	}
}
