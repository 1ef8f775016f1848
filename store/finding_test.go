package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

var (
	notifyAll    = watcher.NoticePolicy{MinSeverity: watcher.Info, SendResolved: true}
	noResolved   = watcher.NoticePolicy{MinSeverity: watcher.Info}
	warningsOnly = watcher.NoticePolicy{MinSeverity: watcher.Warning, SendResolved: true}
)

func urlRemoved() watcher.Finding {
	return watcher.Finding{
		Rule: "auth0.url_removed", Severity: watcher.Warning, Category: watcher.Configuration,
		Path: "/clients/Acme Web/callbacks", Subject: "https://app.acme.com/callback",
		Title:  `Callback URL https://app.acme.com/callback removed from client "Acme Web"`,
		Detail: "removed: https://app.acme.com/callback",
		Old:    "https://app.acme.com/callback", Excerpt: "upstream <text>", Note: "login redirect of the web app",
	}
}

// step checks what one commit did: its counts and the notices it queued.
func step(t *testing.T, db *store.DB, name string, res *watcher.CommitResult, opened, reopened, resolved int, kinds ...watcher.NoticeKind) []watcher.Notice {
	t.Helper()
	ns := takeNotices(t, db)
	if res.Opened != opened || res.Reopened != reopened || res.Resolved != resolved || res.Notices != len(kinds) {
		t.Errorf("%s: result %+v; want opened %d reopened %d resolved %d notices %d", name, *res, opened, reopened, resolved, len(kinds))
	}
	if diff := cmp.Diff(kinds, noticeKinds(ns)); diff != "" && len(kinds)+len(ns) > 0 {
		t.Errorf("%s: notices (-want +got):\n%s", name, diff)
	}
	return ns
}

func TestReconcileLifecycle(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	const src = "auth0-prod"
	storeDoc(t, db, src, t0, `{"clients":{}}`)
	f := urlRemoved()

	// New: open, one notice carrying the whole finding.
	ns := step(t, db, "new", judge(t, db, src, t0.Add(time.Hour), notifyAll, f), 1, 0, 0, watcher.NoticeOpened)
	open, err := db.Findings(ctx, watcher.FindingFilter{States: []watcher.State{watcher.Open}})
	if err != nil || len(open) != 1 {
		t.Fatalf("open findings = %v, %v; want one", open, err)
	}
	got := open[0]
	id := got.ID
	want := f
	want.ID, want.Source, want.State, want.DetectedAt = id, src, watcher.Open, t0.Add(time.Hour)
	want.SnapshotID = got.SnapshotID
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored finding (-want +got):\n%s", diff)
	}
	if got.SnapshotID == 0 {
		t.Error("finding has no snapshot ID")
	}
	if n := ns[0]; n.Source != src || n.Finding == nil || n.Finding.ID != id || n.Group != "poll-2026-11-02T10:00:00Z/auth0-prod" ||
		n.Finding.Old != f.Old || n.Finding.Excerpt != f.Excerpt || n.Finding.Note != f.Note || n.Finding.Title != f.Title {
		t.Errorf("opened notice = %+v finding %+v", n, n.Finding)
	}

	// Same condition again: same row, nothing queued.
	step(t, db, "again", judge(t, db, src, t0.Add(2*time.Hour), notifyAll, f), 0, 0, 0)
	if g := findingByID(t, db, id); g.State != watcher.Open || !g.DetectedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("after repeat: state %s detected %v", g.State, g.DetectedAt)
	}
	if all, _ := db.Findings(ctx, watcher.FindingFilter{}); len(all) != 1 {
		t.Errorf("%d findings after a repeat, want 1", len(all))
	}

	// Not returned by the rules: resolved, with a notice.
	ns = step(t, db, "resolved", judge(t, db, src, t0.Add(3*time.Hour), notifyAll), 0, 0, 1, watcher.NoticeResolved)
	g := findingByID(t, db, id)
	if g.State != watcher.Resolved || g.ResolvedAt == nil || !g.ResolvedAt.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("after resolve: state %s resolved_at %v", g.State, g.ResolvedAt)
	}
	if ns[0].Finding.State != watcher.Resolved {
		t.Errorf("resolved notice carries state %s", ns[0].Finding.State)
	}

	// It comes back: the same finding reopens.
	step(t, db, "reopened", judge(t, db, src, t0.Add(4*time.Hour), notifyAll, f), 0, 1, 0, watcher.NoticeReopened)
	g = findingByID(t, db, id)
	if g.State != watcher.Open || g.ResolvedAt != nil {
		t.Errorf("after reopen: state %s resolved_at %v", g.State, g.ResolvedAt)
	}

	// Acknowledged and still holding: stays acked, no notice.
	if err := db.Ack(ctx, []int64{id}, "known, fix in 2.4", t0.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	step(t, db, "acked holds", judge(t, db, src, t0.Add(6*time.Hour), notifyAll, f), 0, 0, 0)
	g = findingByID(t, db, id)
	if g.State != watcher.Acked || g.AckNote != "known, fix in 2.4" || g.AckedAt == nil || !g.AckedAt.Equal(t0.Add(5*time.Hour)) {
		t.Errorf("acked finding: state %s note %q acked_at %v", g.State, g.AckNote, g.AckedAt)
	}

	// Acknowledged and then undone: resolved.
	step(t, db, "acked resolves", judge(t, db, src, t0.Add(7*time.Hour), notifyAll), 0, 0, 1, watcher.NoticeResolved)
	if g = findingByID(t, db, id); g.State != watcher.Resolved {
		t.Errorf("acked then undone: state %s, want resolved", g.State)
	}

	// Back once more: reopened with the acknowledgement cleared.
	step(t, db, "reopened after ack", judge(t, db, src, t0.Add(8*time.Hour), notifyAll, f), 0, 1, 0, watcher.NoticeReopened)
	g = findingByID(t, db, id)
	if g.State != watcher.Open || g.AckedAt != nil || g.AckNote != "" || g.ResolvedAt != nil {
		t.Errorf("reopened after ack: state %s acked_at %v note %q resolved_at %v", g.State, g.AckedAt, g.AckNote, g.ResolvedAt)
	}

	// Severity rises: escalated. Falls: updated quietly.
	up := f
	up.Severity, up.Title = watcher.Breaking, f.Title+" (named by an expectation)"
	ns = step(t, db, "escalated", judge(t, db, src, t0.Add(9*time.Hour), notifyAll, up), 0, 0, 0, watcher.NoticeEscalated)
	if g = findingByID(t, db, id); g.Severity != watcher.Breaking || g.Title != up.Title {
		t.Errorf("escalated finding: severity %s title %q", g.Severity, g.Title)
	}
	if ns[0].Finding.Severity != watcher.Breaking {
		t.Errorf("escalated notice carries severity %s", ns[0].Finding.Severity)
	}
	step(t, db, "de-escalated", judge(t, db, src, t0.Add(10*time.Hour), notifyAll, f), 0, 0, 0)
	if g = findingByID(t, db, id); g.Severity != watcher.Warning || g.State != watcher.Open {
		t.Errorf("de-escalated finding: severity %s state %s", g.Severity, g.State)
	}

	// Without send_resolved a resolution is recorded but not noticed.
	step(t, db, "resolved quietly", judge(t, db, src, t0.Add(11*time.Hour), noResolved), 0, 0, 1)
	if g = findingByID(t, db, id); g.State != watcher.Resolved {
		t.Errorf("state %s, want resolved", g.State)
	}
}

func TestReconcileMinSeverityAndScope(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	info := watcher.Finding{Rule: "feed.deprecation_notice", Severity: watcher.Info, Category: watcher.ThirdParty,
		Path: "/entries/x", Subject: "x", Title: "Deprecation announced"}
	warn := urlRemoved()
	storeDoc(t, db, "auth0-prod", t0, `{}`)
	storeDoc(t, db, "feed", t0, `{}`)

	// Below min_severity: recorded, not noticed.
	ns := step(t, db, "mixed", judge(t, db, "auth0-prod", t0.Add(time.Hour), warningsOnly, info, warn), 2, 0, 0, watcher.NoticeOpened)
	if ns[0].Finding.Severity != watcher.Warning {
		t.Errorf("noticed %s finding, want only the warning", ns[0].Finding.Severity)
	}
	step(t, db, "other source", judge(t, db, "feed", t0.Add(time.Hour), warningsOnly, info), 1, 0, 0)

	// Judging one source resolves only its own findings.
	step(t, db, "resolve feed", judge(t, db, "feed", t0.Add(2*time.Hour), warningsOnly), 0, 0, 1)
	open, err := db.Findings(ctx, watcher.FindingFilter{States: []watcher.State{watcher.Open}})
	if err != nil || len(open) != 2 {
		t.Errorf("open findings after resolving the feed: %v, %v; want auth0-prod's two", open, err)
	}

	// A commit whose rules did not run (unchanged fetch, same day) leaves
	// findings alone.
	st, _ := db.SourceState(ctx, "auth0-prod")
	res, err := db.Commit(ctx, &watcher.Commit{Source: "auth0-prod", At: t0.Add(3 * time.Hour), BaseHash: st.LastHash, Policy: warningsOnly})
	if err != nil {
		t.Fatal(err)
	}
	step(t, db, "not judged", res, 0, 0, 0)
	if open, _ := db.Findings(ctx, watcher.FindingFilter{States: []watcher.State{watcher.Open}, Sources: []string{"auth0-prod"}}); len(open) != 2 {
		t.Errorf("%d open after an unjudged commit, want 2", len(open))
	}
}

func failing(n int) *watcher.Finding {
	return &watcher.Finding{Source: "auth0-prod", Rule: store.FailingRule, Severity: watcher.Warning, Category: watcher.Configuration,
		Title: "auth0-prod failing (" + strings.Repeat("I", n) + ")", Detail: "last error: 401", New: "auth0: token: 401"}
}

func TestRecordFailure(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	storeDoc(t, db, "auth0-prod", t0, `{}`)
	fail := func(i int, raise *watcher.Finding) watcher.SourceState {
		t.Helper()
		st, err := db.RecordFailure(ctx, &watcher.Failure{Source: "auth0-prod", Type: "auth0", At: t0.Add(time.Duration(i) * time.Hour),
			Error: "auth0: token: 401 Unauthorized", Raise: raise, Policy: notifyAll, Group: "p/auth0-prod"})
		if err != nil {
			t.Fatalf("RecordFailure %d: %v", i, err)
		}
		return st
	}
	fail(1, nil)
	st := fail(2, nil)
	if st.ConsecutiveFailures != 2 || st.LastError != "auth0: token: 401 Unauthorized" ||
		st.FailingSince == nil || !st.FailingSince.Equal(t0.Add(time.Hour)) || !st.LastAttemptAt.Equal(t0.Add(2*time.Hour)) ||
		!st.LastSuccessAt.Equal(t0) {
		t.Errorf("after two failures: %+v", st)
	}
	if ns := takeNotices(t, db); len(ns) != 0 {
		t.Errorf("failures without Raise queued %d notices", len(ns))
	}

	// The third raises the failing finding: one notice. Later failures
	// update it without another.
	fail(3, failing(3))
	ns := takeNotices(t, db)
	if len(ns) != 1 || ns[0].Kind != watcher.NoticeOpened || ns[0].Finding.Rule != store.FailingRule {
		t.Fatalf("third failure notices = %v, want one opened source.failing", noticeKinds(ns))
	}
	id := ns[0].Finding.ID
	st = fail(4, failing(4))
	fail(5, failing(5))
	if ns := takeNotices(t, db); len(ns) != 0 {
		t.Errorf("later failures queued %v, want nothing", noticeKinds(ns))
	}
	if st.ConsecutiveFailures != 4 {
		t.Errorf("ConsecutiveFailures = %d, want 4", st.ConsecutiveFailures)
	}
	fs, _ := db.Findings(ctx, watcher.FindingFilter{Sources: []string{"auth0-prod"}})
	if len(fs) != 1 || fs[0].ID != id || fs[0].State != watcher.Open || fs[0].Title != failing(5).Title {
		t.Errorf("findings after five failures = %+v; want the one failing finding, newest title", fs)
	}

	// A success, even unjudged, resolves it and resets the count.
	st, _ = db.SourceState(ctx, "auth0-prod")
	res, err := db.Commit(ctx, &watcher.Commit{Source: "auth0-prod", At: t0.Add(6 * time.Hour), BaseHash: st.LastHash, Policy: notifyAll})
	if err != nil {
		t.Fatal(err)
	}
	step(t, db, "recovered", res, 0, 0, 1, watcher.NoticeResolved)
	if g := findingByID(t, db, id); g.State != watcher.Resolved {
		t.Errorf("failing finding state %s after a success, want resolved", g.State)
	}
	st, _ = db.SourceState(ctx, "auth0-prod")
	if st.ConsecutiveFailures != 0 || st.FailingSince != nil || !st.LastSuccessAt.Equal(t0.Add(6*time.Hour)) {
		t.Errorf("after success: failures %d since %v success %v", st.ConsecutiveFailures, st.FailingSince, st.LastSuccessAt)
	}
	if st.LastError == "" {
		t.Error("LastError forgotten on success; it should stay on record")
	}
}

func TestAck(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	storeDoc(t, db, "auth0-prod", t0, `{}`)
	a, b := urlRemoved(), urlRemoved()
	b.Subject, b.Old = "https://app.acme.com/logout", "https://app.acme.com/logout"
	judge(t, db, "auth0-prod", t0.Add(time.Hour), notifyAll, a, b)
	all, _ := db.Findings(ctx, watcher.FindingFilter{})
	if len(all) != 2 {
		t.Fatalf("%d findings, want 2", len(all))
	}
	x, y := all[0].ID, all[1].ID

	// One unknown ID: an error naming it, nothing changed.
	err := db.Ack(ctx, []int64{x, 10, 9, 10, y}, "n", t0.Add(2*time.Hour))
	if !errors.Is(err, watcher.ErrNotFound) {
		t.Fatalf("Ack with unknown IDs = %v, want ErrNotFound", err)
	}
	if got, want := err.Error(), "unknown finding ID 9, 10: not found"; got != want {
		t.Errorf("Ack error = %q, want %q", got, want)
	}
	if acked, _ := db.Findings(ctx, watcher.FindingFilter{States: []watcher.State{watcher.Acked}}); len(acked) != 0 {
		t.Errorf("%d findings acked by a failed Ack, want none", len(acked))
	}

	if err := db.Ack(ctx, nil, "nothing", t0); err != nil {
		t.Errorf("Ack of no IDs: %v", err)
	}
	if err := db.Ack(ctx, []int64{x, y}, "rolling out the fix", t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{x, y} {
		g := findingByID(t, db, id)
		if g.State != watcher.Acked || g.AckNote != "rolling out the fix" || !g.AckedAt.Equal(t0.Add(2*time.Hour)) {
			t.Errorf("finding %d: state %s note %q acked_at %v", id, g.State, g.AckNote, g.AckedAt)
		}
	}
}

func TestFindingsFilter(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	mk := func(rule string, sev watcher.Severity) watcher.Finding {
		return watcher.Finding{Rule: rule, Severity: sev, Category: watcher.Configuration, Path: "/" + rule, Title: rule}
	}
	storeDoc(t, db, "auth0-prod", t0, `{}`)
	storeDoc(t, db, "orders-db", t0, `{}`)
	judge(t, db, "auth0-prod", t0.Add(time.Hour), notifyAll, mk("a.info", watcher.Info), mk("a.warn", watcher.Warning), mk("a.break", watcher.Breaking))
	judge(t, db, "orders-db", t0.Add(time.Hour), notifyAll, mk("o.warn", watcher.Warning), mk("o.break", watcher.Breaking), mk("o.gone", watcher.Breaking))
	judge(t, db, "orders-db", t0.Add(2*time.Hour), notifyAll, mk("o.warn", watcher.Warning), mk("o.break", watcher.Breaking))
	all, err := db.Findings(ctx, watcher.FindingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byRule := map[string]int64{}
	for _, f := range all {
		byRule[f.Rule] = f.ID
	}
	if err := db.Ack(ctx, []int64{byRule["a.break"]}, "", t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}

	rules := func(fs []watcher.Finding) []string {
		out := make([]string, len(fs))
		for i, f := range fs {
			out[i] = f.Rule
		}
		return out
	}
	tests := []struct {
		name string
		flt  watcher.FindingFilter
		want []string // newest first
	}{
		{"everything", watcher.FindingFilter{}, []string{"o.gone", "o.break", "o.warn", "a.break", "a.warn", "a.info"}},
		{"open", watcher.FindingFilter{States: []watcher.State{watcher.Open}}, []string{"o.break", "o.warn", "a.warn", "a.info"}},
		{"open and acked", watcher.FindingFilter{States: []watcher.State{watcher.Open, watcher.Acked}}, []string{"o.break", "o.warn", "a.break", "a.warn", "a.info"}},
		{"resolved", watcher.FindingFilter{States: []watcher.State{watcher.Resolved}}, []string{"o.gone"}},
		{"one source", watcher.FindingFilter{Sources: []string{"auth0-prod"}}, []string{"a.break", "a.warn", "a.info"}},
		{"open breaking", watcher.FindingFilter{States: []watcher.State{watcher.Open}, MinSeverity: watcher.Breaking}, []string{"o.break"}},
		{"at least warning in orders-db", watcher.FindingFilter{Sources: []string{"orders-db"}, MinSeverity: watcher.Warning}, []string{"o.gone", "o.break", "o.warn"}},
		{"by IDs", watcher.FindingFilter{ID: []int64{byRule["a.info"], byRule["o.gone"]}}, []string{"o.gone", "a.info"}},
		{"IDs and state", watcher.FindingFilter{ID: []int64{byRule["a.info"], byRule["o.gone"]}, States: []watcher.State{watcher.Open}}, []string{"a.info"}},
		{"unknown source", watcher.FindingFilter{Sources: []string{"nope"}}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Findings(ctx, tt.flt)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, rules(got)); diff != "" {
				t.Errorf("Findings (-want +got):\n%s", diff)
			}
		})
	}

	changed, err := db.FindingsChangedBetween(ctx, t0.Add(90*time.Minute), t0.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"o.gone"}, rules(changed)); diff != "" {
		t.Errorf("FindingsChangedBetween (resolved in the window) (-want +got):\n%s", diff)
	}
	counts, err := db.OpenFindingCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[watcher.Severity]int{watcher.Info: 1, watcher.Warning: 2, watcher.Breaking: 1}, counts); diff != "" {
		t.Errorf("OpenFindingCounts (-want +got):\n%s", diff)
	}
}

// An acknowledgement covers a finding as it was: when it escalates (a
// deprecation's warning reaching end of life) it is open again with a new
// notice, and the acknowledgement is gone.
func TestReconcileAckedEscalationReopens(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	const src = "auth0-prod"
	storeDoc(t, db, src, t0, `{"clients":{}}`)
	f := watcher.Finding{Rule: "auth0.deprecated_rules", Severity: watcher.Warning, Category: watcher.ThirdParty,
		Path: "/rules", Subject: "rules-eol", Title: "Rules end of life 2026-11-18: 1 rule still enabled"}
	step(t, db, "new", judge(t, db, src, t0.Add(time.Hour), warningsOnly, f), 1, 0, 0, watcher.NoticeOpened)
	id := findingsOf(t, db, src)[0].ID
	if err := db.Ack(ctx, []int64{id}, "migration planned", t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	step(t, db, "acked holds", judge(t, db, src, t0.Add(3*time.Hour), warningsOnly, f), 0, 0, 0)

	eol := f
	eol.Severity = watcher.Breaking
	ns := step(t, db, "end of life", judge(t, db, src, t0.Add(4*time.Hour), warningsOnly, eol), 0, 0, 0, watcher.NoticeEscalated)
	g := findingByID(t, db, id)
	if g.State != watcher.Open || g.AckedAt != nil || g.AckNote != "" || g.Severity != watcher.Breaking {
		t.Errorf("escalated acked finding: state %s acked_at %v note %q severity %s; want open, unacknowledged, breaking",
			g.State, g.AckedAt, g.AckNote, g.Severity)
	}
	if ns[0].Finding.State != watcher.Open || ns[0].Finding.ID != id {
		t.Errorf("escalation notice carries %+v", ns[0].Finding)
	}
	// The same severity again is no news.
	step(t, db, "still breaking", judge(t, db, src, t0.Add(5*time.Hour), warningsOnly, eol), 0, 0, 0)
}

// The url, further links, the rules folded in and the folded findings
// themselves survive the store and reach the notice.
func TestFindingLinksAndFoldedRoundTrip(t *testing.T) {
	db, _ := mustOpen(t)
	const src = "auth0-prod"
	storeDoc(t, db, src, t0, `{"clients":{}}`)
	b := urlRemoved()
	f := watcher.Finding{Rule: "expect.contains", Severity: watcher.Breaking, Category: watcher.Configuration,
		Path: b.Path, Subject: "contains:" + b.Subject, Title: b.Title, Detail: b.Detail, Note: "login redirect",
		URL:    "https://manage.auth0.com/dashboard/eu/acme/applications/c1/settings",
		Links:  []watcher.Link{{Title: "Docs", URL: "https://auth0.com/docs/x"}},
		Also:   []string{b.Rule},
		Folded: []watcher.Finding{b},
	}
	ns := step(t, db, "new", judge(t, db, src, t0.Add(time.Hour), notifyAll, f), 1, 0, 0, watcher.NoticeOpened)
	got := findingsOf(t, db, src)[0]
	if got.URL != f.URL || !cmp.Equal(got.Links, f.Links) || !cmp.Equal(got.Also, f.Also) {
		t.Errorf("stored url %q links %v also %v", got.URL, got.Links, got.Also)
	}
	if len(got.Folded) != 1 || got.Folded[0].Rule != b.Rule || got.Folded[0].Subject != b.Subject || got.Folded[0].Old != b.Old {
		t.Errorf("stored folded %+v", got.Folded)
	}
	if n := ns[0].Finding; n.URL != f.URL || len(n.Also) != 1 {
		t.Errorf("notice finding url %q also %v", n.URL, n.Also)
	}
	// Judged the same again: nothing changes, nothing is queued.
	step(t, db, "again", judge(t, db, src, t0.Add(2*time.Hour), notifyAll, f), 0, 0, 0)
}

func findingsOf(t *testing.T, db *store.DB, src string) []watcher.Finding {
	t.Helper()
	fs, err := db.Findings(context.Background(), watcher.FindingFilter{Sources: []string{src}})
	if err != nil || len(fs) == 0 {
		t.Fatalf("findings of %s: %v, %v", src, fs, err)
	}
	return fs
}
