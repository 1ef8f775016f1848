package watcher_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/httpjson"
	"github.com/driftwatch/driftwatch/watcher"
)

const (
	ruleRemoved = "test.feature_removed"
	ruleStatus  = "test.status"
)

// featureRemoved is a rule about a change: a key leaving /features. It is
// silent on the baseline and carries its findings forward until the key
// comes back.
func featureRemoved(j *watcher.Judgement) []watcher.Finding {
	var out []watcher.Finding
	seen := map[string]bool{}
	if !j.Baseline {
		for _, c := range j.Changes {
			segs, err := diff.ParsePointer(c.Path)
			if err == nil && c.Op == diff.Removed && len(segs) == 2 && segs[0] == "features" {
				seen[segs[1]] = true
				out = append(out, watcher.Finding{Rule: ruleRemoved, Severity: watcher.Warning,
					Category: watcher.ThirdParty, Path: c.Path, Subject: segs[1],
					Title: "feature " + segs[1] + " removed", Old: string(c.Old)})
			}
		}
	}
	for _, f := range j.OpenOf(ruleRemoved) {
		if _, back := diff.Get(j.New, f.Path); !back && !seen[f.Subject] {
			out = append(out, f)
		}
	}
	return out
}

// statusNotOK is a rule about a state: it judges every document, the
// baseline included.
func statusNotOK(j *watcher.Judgement) []watcher.Finding {
	if v, _ := diff.Get(j.New, "/status"); v != "ok" {
		return []watcher.Finding{{Rule: ruleStatus, Severity: watcher.Breaking, Category: watcher.Infrastructure,
			Path: "/status", Title: fmt.Sprintf("status is %v", v)}}
	}
	return nil
}

// recorder keeps every judgement a rule saw.
type recorder struct {
	mu   sync.Mutex
	seen []watcher.Judgement
}

func (r *recorder) Judge(j *watcher.Judgement) []watcher.Finding {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, *j)
	return nil
}

func (r *recorder) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

func (r *recorder) last() watcher.Judgement {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[len(r.seen)-1]
}

func pollOne(t *testing.T, e *watcher.Engine, name string) watcher.SourceReport {
	t.Helper()
	rep, err := e.Poll(context.Background(), name)
	if err != nil {
		t.Fatalf("Poll(%s): %v", name, err)
	}
	if len(rep.Sources) != 1 {
		t.Fatalf("Poll(%s) reported %d sources", name, len(rep.Sources))
	}
	return rep.Sources[0]
}

func TestPollBoundsConcurrencyAndIsolatesFailures(t *testing.T) {
	db, up := openStore(t), newUpstream(t)
	up.setBefore(func(*http.Request) { time.Sleep(40 * time.Millisecond) })
	var rts []*watcher.Runtime
	for i := range 6 {
		name := fmt.Sprintf("src-%d", i)
		up.set(name, fmt.Sprintf(`{"n": %d}`, i))
		rts = append(rts, jsonSource(t, up, name))
	}
	up.fail("src-3", http.StatusInternalServerError)
	e := &watcher.Engine{Sources: rts, Store: db, Concurrency: 2, Now: newClock(t0).Now}

	rep, err := e.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Failed(); got != 1 {
		t.Errorf("Failed() = %d, want 1", got)
	}
	for i, s := range rep.Sources {
		want := watcher.OutcomeBaseline
		if i == 3 {
			want = watcher.OutcomeFailed
		}
		if s.Source != rts[i].Source.Name || s.Outcome != want {
			t.Errorf("report %d = %s %s (%v), want %s %s", i, s.Source, s.Outcome, s.Err, rts[i].Source.Name, want)
		}
		if n := len(snapshots(t, db, s.Source)); (n == 1) != (i != 3) {
			t.Errorf("%s has %d snapshots", s.Source, n)
		}
	}
	if err := rep.Sources[3].Err; err == nil || !strings.Contains(err.Error(), "src-3") || !strings.Contains(err.Error(), "HTTP 500") {
		t.Errorf("failure = %v, want it to name the source and the status", err)
	}
	if st := sourceState(t, db, "src-3"); st.ConsecutiveFailures != 1 || st.LastError == "" {
		t.Errorf("failed source state = %+v", st)
	}
	if got := up.peakInflight(); got != 2 {
		t.Errorf("peak concurrent fetches = %d, want 2 (Concurrency)", got)
	}
}

func TestPollJudgesBaselineChangesAndUnchangedDocuments(t *testing.T) {
	db, up, clk := openStore(t), newUpstream(t), newClock(t0)
	rec := &recorder{}
	rt := jsonSource(t, up, "app", rec, watcher.RuleFunc(featureRemoved), watcher.RuleFunc(statusNotOK))
	e := &watcher.Engine{Sources: []*watcher.Runtime{rt}, Store: db, Policy: everyone, Now: clk.Now}

	// Baseline: the state rule judges it, the change rule stays silent.
	up.set("app", `{"status": "degraded", "features": {"mfa": true, "sso": true}, "version": "1.0"}`)
	r := pollOne(t, e, "app")
	if r.Outcome != watcher.OutcomeBaseline || r.Opened != 1 || r.SnapshotID == 0 {
		t.Fatalf("baseline: %+v", r)
	}
	j := rec.last()
	if !j.Baseline || j.Old != nil || j.New == nil || len(j.Changes) != 0 || !j.Now.Equal(t0) {
		t.Errorf("baseline judgement: baseline=%v old=%v changes=%v now=%v", j.Baseline, j.Old, j.Changes, j.Now)
	}
	if fs := findings(t, db, "app", watcher.Open); len(fs) != 1 || fs[0].Rule != ruleStatus || fs[0].SnapshotID != r.SnapshotID {
		t.Fatalf("open after baseline = %+v", fs)
	}

	// A change: Old and New are the two documents, Changes between them.
	clk.Add(time.Minute)
	up.set("app", `{"status": "ok", "features": {"sso": true}, "version": "1.1"}`)
	r = pollOne(t, e, "app")
	if r.Outcome != watcher.OutcomeChanged || r.Changes != 3 || r.Opened != 1 || r.Resolved != 1 {
		t.Fatalf("changed: %+v", r)
	}
	j = rec.last()
	var got []string
	for _, c := range j.Changes {
		got = append(got, string(c.Op)+" "+c.Path)
	}
	if diff := cmp.Diff([]string{"removed /features/mfa", "changed /status", "changed /version"}, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if old, _ := diff.Get(j.Old, "/version"); old != "1.0" {
		t.Errorf("Old /version = %v", old)
	}
	if nw, _ := diff.Get(j.New, "/version"); nw != "1.1" || j.Baseline {
		t.Errorf("New /version = %v, baseline %v", nw, j.Baseline)
	}
	open := findings(t, db, "app", watcher.Open)
	if len(open) != 1 || open[0].Rule != ruleRemoved || open[0].Subject != "mfa" {
		t.Fatalf("open after change = %+v", open)
	}
	if res := findings(t, db, "app", watcher.Resolved); len(res) != 1 || res[0].Rule != ruleStatus {
		t.Fatalf("resolved after change = %+v", res)
	}

	// Same content: no snapshot, not judged again.
	clk.Add(time.Minute)
	calls := rec.calls()
	r = pollOne(t, e, "app")
	if r.Outcome != watcher.OutcomeUnchanged || r.Changes != 0 || len(snapshots(t, db, "app")) != 2 || rec.calls() != calls {
		t.Fatalf("unchanged: %+v, %d snapshots, judged %d times (was %d)", r, len(snapshots(t, db, "app")), rec.calls(), calls)
	}

	// New rules configuration: judged again on the stored document, and the
	// change finding is carried forward, not resolved.
	rt.RulesKey = "rules-2"
	r = pollOne(t, e, "app")
	j = rec.last()
	if rec.calls() != calls+1 || j.Baseline || len(j.Changes) != 0 || !cmp.Equal(j.Old, j.New) {
		t.Fatalf("rules key change: judged %d (want %d), baseline=%v changes=%v", rec.calls(), calls+1, j.Baseline, j.Changes)
	}
	if r.Outcome != watcher.OutcomeUnchanged || r.Resolved != 0 || len(findings(t, db, "app", watcher.Open)) != 1 {
		t.Fatalf("after rules key change: %+v", r)
	}
	pollOne(t, e, "app")
	if rec.calls() != calls+1 {
		t.Fatalf("judged again with the same key on the same day")
	}

	// A new UTC day: judged again (rules about dates, end of life).
	clk.Add(24 * time.Hour)
	pollOne(t, e, "app")
	if rec.calls() != calls+2 || !rec.last().Now.Equal(clk.Now()) {
		t.Fatalf("next day: judged %d times, want %d", rec.calls(), calls+2)
	}

	// The change undone: the carried finding resolves.
	up.set("app", `{"status": "ok", "features": {"mfa": true, "sso": true}, "version": "1.1"}`)
	r = pollOne(t, e, "app")
	if r.Outcome != watcher.OutcomeChanged || r.Resolved != 1 || len(findings(t, db, "app", watcher.Open)) != 0 {
		t.Fatalf("undone: %+v", r)
	}
	infos := snapshots(t, db, "app")
	if len(infos) != 3 || infos[0].Changes != 1 || infos[1].Changes != 3 || infos[2].Changes != 0 {
		t.Errorf("history = %+v", infos)
	}
}

func TestPollNotModified(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db, up := openStore(t), newUpstream(t)
		up.useETags()
		up.set("etag", `{"plan": "free", "rows": 10}`)
		rec := &recorder{}
		rt := jsonSource(t, up, "etag", rec)
		e := &watcher.Engine{Sources: []*watcher.Runtime{rt}, Store: db, Now: newClock(t0).Now}
		if r := pollOne(t, e, "etag"); r.Outcome != watcher.OutcomeBaseline {
			t.Fatalf("first poll: %+v", r)
		}
		st := sourceState(t, db, "etag")
		if v, ok := st.Fetch.Get(up.url("etag")); !ok || v.ETag == "" {
			t.Fatalf("validators kept = %+v", st.Fetch)
		}
		r := pollOne(t, e, "etag")
		if r.Outcome != watcher.OutcomeUnchanged || r.Err != nil || r.Requests != 1 || len(snapshots(t, db, "etag")) != 1 {
			t.Fatalf("304 poll: %+v", r)
		}
		if v, ok := sourceState(t, db, "etag").Fetch.Get(up.url("etag")); !ok || v != st.Fetch.Validators[up.url("etag")] {
			t.Errorf("validators after 304 = %+v", v)
		}
		// Judged again after a 304: on the stored document.
		rt.RulesKey = "rules-2"
		pollOne(t, e, "etag")
		if rows, _ := diff.Get(rec.last().New, "/rows"); rec.calls() != 2 || fmt.Sprint(rows) != "10" {
			t.Errorf("re-judged %d times; New /rows = %v", rec.calls(), rows)
		}
	})
	t.Run("ErrNoSnapshot", func(t *testing.T) {
		// A broken cache in front of the upstream answers 304 to everything.
		db := openStore(t)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotModified)
		}))
		defer srv.Close()
		p, err := httpjson.New(httpjson.Config{Name: "cache", URL: srv.URL}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		rt := &watcher.Runtime{Source: watcher.Source{Name: "cache", Type: "http_json"}, Provider: p}
		e := &watcher.Engine{Sources: []*watcher.Runtime{rt}, Store: db, Now: newClock(t0).Now}
		r := pollOne(t, e, "cache")
		if r.Outcome != watcher.OutcomeFailed || r.Err == nil || !strings.Contains(r.Err.Error(), "304") {
			t.Fatalf("304 without a snapshot: %+v", r)
		}
		if st := sourceState(t, db, "cache"); st.ConsecutiveFailures != 1 || len(snapshots(t, db, "cache")) != 0 {
			t.Errorf("state = %+v", st)
		}
	})
}

func TestSelect(t *testing.T) {
	up := newUpstream(t)
	e := &watcher.Engine{Sources: []*watcher.Runtime{jsonSource(t, up, "a"), jsonSource(t, up, "b")}, Store: openStore(t)}
	t.Run("OK", func(t *testing.T) {
		rts, err := e.Select([]string{"b", "a"})
		if err != nil || len(rts) != 2 || rts[0].Source.Name != "b" || rts[1].Source.Name != "a" {
			t.Fatalf("Select(b, a) = %v, %v", rts, err)
		}
		if all, _ := e.Select(nil); len(all) != 2 {
			t.Errorf("Select() = %d runtimes", len(all))
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		_, err := e.Poll(context.Background(), "a", "nope")
		var ue *watcher.UnknownSourceError
		if !errors.As(err, &ue) || ue.Name != "nope" || !strings.Contains(err.Error(), `"nope"`) {
			t.Fatalf("Poll(nope) = %v", err)
		}
		if up.count("a") != 0 {
			t.Errorf("a source was fetched although the selection failed")
		}
	})
}
