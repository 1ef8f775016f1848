package watcher_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

func TestPollRecoversProviderPanic(t *testing.T) {
	db, up := openStore(t), newUpstream(t)
	up.set("fine", `{"ok": true}`)
	boom := providerFunc(func(context.Context, watcher.FetchState) (*watcher.Result, error) { panic("nil map in provider") })
	e := &watcher.Engine{Sources: []*watcher.Runtime{funcSource("boom", boom), jsonSource(t, up, "fine")},
		Store: db, Now: newClock(t0).Now}
	rep, err := e.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if b := rep.Sources[0]; b.Outcome != watcher.OutcomeFailed || !strings.Contains(fmt.Sprint(b.Err), "provider panic: nil map in provider") {
		t.Errorf("boom: %+v", b)
	}
	if rep.Sources[1].Outcome != watcher.OutcomeBaseline {
		t.Errorf("fine: %+v", rep.Sources[1])
	}
	st := sourceState(t, db, "boom")
	if st.ConsecutiveFailures != 1 || !strings.Contains(st.LastError, "panic") || st.LastHash != "" || len(snapshots(t, db, "boom")) != 0 {
		t.Errorf("boom state = %+v", st)
	}
}

func TestPollRulePanicResolvesNothing(t *testing.T) {
	db, up, lb := openStore(t), newUpstream(t), &logBuffer{}
	var panicking atomic.Bool
	flaky := watcher.RuleFunc(func(j *watcher.Judgement) []watcher.Finding {
		if panicking.Load() {
			panic("index out of range")
		}
		return nil
	})
	rt := jsonSource(t, up, "db", watcher.RuleFunc(statusNotOK), watcher.RuleFunc(featureRemoved), flaky)
	e := &watcher.Engine{Sources: []*watcher.Runtime{rt}, Store: db, Now: newClock(t0).Now, Logger: newLogger(lb)}
	up.set("db", `{"status": "full", "features": {"backups": true}}`)
	pollOne(t, e, "db")
	if len(findings(t, db, "db", watcher.Open)) != 1 {
		t.Fatal("no open finding after baseline")
	}

	up.set("db", `{"status": "ok", "features": {}}`)
	panicking.Store(true)
	r := pollOne(t, e, "db")
	if r.Outcome != watcher.OutcomeChanged || r.Resolved != 0 || r.Opened != 0 {
		t.Fatalf("with a panicking rule: %+v", r)
	}
	if open := findings(t, db, "db", watcher.Open); len(open) != 1 || open[0].Rule != ruleStatus {
		t.Fatalf("open with a panicking rule = %+v", open)
	}
	if !strings.Contains(lb.String(), "rule panic: index out of range") {
		t.Errorf("log lacks the rule panic:\n%s", lb)
	}

	// The document was stored but not judged: the next poll judges it as
	// the change it was, the same day, with the same rules.
	panicking.Store(false)
	r = pollOne(t, e, "db")
	if r.Outcome != watcher.OutcomeUnchanged || r.Resolved != 1 || r.Opened != 1 {
		t.Fatalf("after the panic: %+v", r)
	}
	if open := findings(t, db, "db", watcher.Open); len(open) != 1 || open[0].Rule != ruleRemoved || open[0].Subject != "backups" {
		t.Fatalf("open after the panic = %+v", open)
	}
	if r := pollOne(t, e, "db"); r.Opened+r.Resolved != 0 {
		t.Errorf("judged once more: %+v", r)
	}
}

func TestPollJudgesBaselineStoredWhileARulePanicked(t *testing.T) {
	db, up := openStore(t), newUpstream(t)
	var panicking atomic.Bool
	panicking.Store(true)
	rec := &recorder{}
	flaky := watcher.RuleFunc(func(j *watcher.Judgement) []watcher.Finding {
		if panicking.Load() {
			panic("boom")
		}
		return rec.Judge(j)
	})
	e := &watcher.Engine{Sources: []*watcher.Runtime{jsonSource(t, up, "new", flaky)}, Store: db, Now: newClock(t0).Now}
	up.set("new", `{"a": 1}`)
	if r := pollOne(t, e, "new"); r.Outcome != watcher.OutcomeBaseline {
		t.Fatalf("first poll: %+v", r)
	}
	panicking.Store(false)
	pollOne(t, e, "new")
	if rec.calls() != 1 || !rec.last().Baseline || rec.last().Old != nil {
		t.Fatalf("baseline judged later: %d calls, baseline=%v", rec.calls(), rec.calls() > 0 && rec.last().Baseline)
	}
}

func TestPollFailingSource(t *testing.T) {
	db, up := openStore(t), newUpstream(t)
	up.fail("flaky", http.StatusBadGateway)
	e := &watcher.Engine{Sources: []*watcher.Runtime{jsonSource(t, up, "flaky")}, Store: db,
		Policy: everyone, FailThreshold: 3, Now: newClock(t0).Now}
	for i := 1; i <= 5; i++ {
		if r := pollOne(t, e, "flaky"); r.Outcome != watcher.OutcomeFailed {
			t.Fatalf("poll %d: %+v", i, r)
		}
		fs := findings(t, db, "flaky")
		if want := min(max(i-2, 0), 1); len(fs) != want {
			t.Fatalf("after %d failures: %d findings, want %d", i, len(fs), want)
		}
	}
	f := findings(t, db, "flaky")[0]
	if f.Rule != "source.failing" || f.State != watcher.Open || f.Severity != watcher.Warning || f.Category != watcher.Configuration ||
		!strings.Contains(f.Detail, "HTTP 502") {
		t.Errorf("failing finding = %+v", f)
	}
	if ob := outbox(t, db); ob.Pending != 1 {
		t.Errorf("notices = %d, want exactly one for the failing source", ob.Pending)
	}

	up.set("flaky", `{"ok": true}`)
	if r := pollOne(t, e, "flaky"); r.Outcome != watcher.OutcomeBaseline || r.Resolved != 1 {
		t.Fatalf("recovery: %+v", r)
	}
	if fs := findings(t, db, "flaky", watcher.Open); len(fs) != 0 {
		t.Errorf("still open after success: %+v", fs)
	}
	if st := sourceState(t, db, "flaky"); st.ConsecutiveFailures != 0 || st.FailingSince != nil {
		t.Errorf("state after success = %+v", st)
	}
	if ob := outbox(t, db); ob.Pending != 2 {
		t.Errorf("notices = %d, want the opened and the resolved one", ob.Pending)
	}
}

// TestPollRetriesAfterConflict has another store handle (another process)
// store a snapshot while this engine's fetch is in flight: the commit fails
// with ErrConflict and the poll runs once more on top of it.
func TestPollRetriesAfterConflict(t *testing.T) {
	path := t.TempDir() + "/shared.db"
	dbA, dbB, up := openStoreAt(t, path), openStoreAt(t, path), newUpstream(t)
	recA := &recorder{}
	a := &watcher.Engine{Sources: []*watcher.Runtime{jsonSource(t, up, "shared", recA)}, Store: dbA, Now: newClock(t0).Now}
	b := &watcher.Engine{Sources: []*watcher.Runtime{jsonSource(t, up, "shared")}, Store: dbB, Now: newClock(t0.Add(time.Minute)).Now}

	up.set("shared", `{"n": 1, "x": "a"}`)
	pollOne(t, a, "shared")

	var armed atomic.Bool
	armed.Store(true)
	up.setBefore(func(*http.Request) {
		if !armed.CompareAndSwap(true, false) {
			return
		}
		up.set("shared", `{"n": 2, "x": "a"}`)
		if r := pollOne(t, b, "shared"); r.Outcome != watcher.OutcomeChanged {
			t.Errorf("other process: %+v", r)
		}
		up.set("shared", `{"n": 2, "x": "b"}`)
	})
	before := up.count("shared")
	r := pollOne(t, a, "shared")
	if r.Outcome != watcher.OutcomeChanged || r.Err != nil || r.Changes != 1 {
		t.Fatalf("after a conflict: %+v", r)
	}
	if got := up.count("shared") - before; got != 3 {
		t.Errorf("requests = %d, want 3 (this poll, the other, the retry)", got)
	}
	if old, _ := diff.Get(recA.last().Old, "/n"); fmt.Sprint(old) != "2" {
		t.Errorf("retry judged against n=%v, want the other process's snapshot", old)
	}
	infos := snapshots(t, dbA, "shared")
	if len(infos) != 3 || infos[0].Changes != 1 || infos[1].Changes != 1 {
		t.Errorf("history = %+v", infos)
	}
}

// TestFailingSourceFindingLinksTheSourcePage: the source.failing finding
// carries the source's page as its url, stored and read back.
func TestFailingSourceFindingLinksTheSourcePage(t *testing.T) {
	db, up := openStore(t), newUpstream(t)
	up.fail("flaky", http.StatusBadGateway)
	rt := jsonSource(t, up, "flaky")
	rt.Page = "https://driftwatch.acme.io/sources/flaky"
	e := &watcher.Engine{Sources: []*watcher.Runtime{rt}, Store: db, Policy: everyone, FailThreshold: 2, Now: newClock(t0).Now}
	for range 2 {
		pollOne(t, e, "flaky")
	}
	fs := findings(t, db, "flaky")
	if len(fs) != 1 || fs[0].Rule != "source.failing" || fs[0].URL != rt.Page {
		t.Fatalf("findings = %+v, want one source.failing linking %s", fs, rt.Page)
	}
}
