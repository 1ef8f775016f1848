package auth0_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// logWorld is the real pipeline over a simulated tenant: the provider,
// the auth0 rules, the engine and a SQLite store, on a test clock.
type logWorld struct {
	t   *testing.T
	sim *providertest.Auth0
	p   *auth0.Provider
	db  *store.DB
	e   *watcher.Engine
	now time.Time
}

func newLogWorld(t *testing.T) *logWorld {
	t.Helper()
	w := &logWorld{t: t, sim: newSim(t, providertest.Auth0Options{}),
		now: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)}
	w.p = newProvider(t, w.sim, nil)
	w.p.Now = func() time.Time { return w.now }
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.db = db
	w.e = &watcher.Engine{Store: db, Now: func() time.Time { return w.now }, Sources: []*watcher.Runtime{{
		Source:   watcher.Source{Name: "auth0-prod", Type: "auth0"},
		Provider: w.p, Rules: auth0.Rules(auth0.RuleOptions{}),
		Options: diff.Options{Sets: auth0.Sets}, RulesKey: "test",
	}}}
	return w
}

// poll runs one cycle at the world's clock and fails on a source error.
func (w *logWorld) poll() {
	w.t.Helper()
	rep, err := w.e.Poll(w.t.Context())
	if err != nil {
		w.t.Fatal(err)
	}
	if err := rep.Sources[0].Err; err != nil {
		w.t.Fatalf("poll at %s: %v", w.now, err)
	}
}

// open returns the open findings of a rule.
func (w *logWorld) findings(rule string, states ...watcher.State) []watcher.Finding {
	w.t.Helper()
	if len(states) == 0 {
		states = []watcher.State{watcher.Open}
	}
	fs, err := w.db.Findings(w.t.Context(), watcher.FindingFilter{States: states})
	if err != nil {
		w.t.Fatal(err)
	}
	var out []watcher.Finding
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func (w *logWorld) clientID(name string) string {
	var id string
	w.sim.Mutate(func(tn *providertest.Auth0Tenant) { id, _ = tn.Client(name)["client_id"].(string) })
	return id
}

// TestLogsAttribution: a callback removed with a matching Dashboard sapi
// event names the admin and the Dashboard; one changed by a Management
// API client names the client; a change with no event says no admin change
// was recorded, and a setting Auth0 itself made explicit is third-party.
// Logins in the log are read but not kept.
func TestLogsAttribution(t *testing.T) {
	w := newLogWorld(t)
	other, third := "Billing Portal", "Support Desk"
	w.sim.Mutate(func(tn *providertest.Auth0Tenant) {
		// Two more applications, shaped like the recorded ones; the
		// second lacks cross_origin_authentication until Auth0 sets it.
		for i, name := range []string{other, third} {
			c := map[string]any{}
			for k, v := range tn.Client("Acme Web") {
				c[k] = v
			}
			c["name"], c["client_id"] = name, fmt.Sprintf("BiLlInGsUpPoRt%018d", i)
			c["callbacks"] = []any{"https://" + strings.ToLower(strings.Fields(name)[0]) + ".acme.com/cb", "https://" + strings.ToLower(strings.Fields(name)[0]) + ".acme.com/cb2"}
			tn.Clients = append(tn.Clients, c)
		}
		delete(tn.Client(third), "cross_origin_authentication")
	})
	acme, otherID := w.clientID("Acme Web"), w.clientID(other)
	w.poll() // the baseline

	w.now = w.now.Add(time.Hour)
	w.sim.Mutate(func(tn *providertest.Auth0Tenant) {
		for i := 0; i < 30; i++ {
			tn.AddLog(providertest.SuccessLoginEvent(w.now.Add(-50*time.Minute), acme, "Acme Web"))
		}
		tn.RemoveString(tn.Client("Acme Web"), "callbacks", "https://app.acme.com/callback")
		tn.AddLog(providertest.SAPIEvent(time.Date(2026, 12, 3, 10, 42, 0, 0, time.UTC), "alice@acme.com",
			"PATCH", "/api/v2/clients/"+acme, "Update a client"))
		tn.RemoveString(tn.Client(other), "callbacks", "https://billing.acme.com/cb2")
		tn.Client(third)["cross_origin_authentication"] = false
		// An older change, before the previous snapshot, is not this one's.
		tn.AddLog(providertest.SAPIEvent(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), "mallory@acme.com",
			"PATCH", "/api/v2/clients/"+otherID, "Update a client"))
	})
	w.poll()

	byPath := map[string]watcher.Finding{}
	for _, f := range w.findings(auth0.RuleURLRemoved) {
		byPath[f.Path] = f
	}
	f, ok := byPath["/clients/Acme Web/callbacks"]
	if !ok || f.Changed == nil || f.Changed.By != "alice@acme.com" || f.Changed.Via != "Dashboard" || f.Changed.LogID == "" {
		t.Fatalf("Acme Web callback finding = %+v (changed %+v), want it changed by alice@acme.com in the Dashboard", f, f.Changed)
	}
	if !strings.Contains(f.Detail, "Changed by alice@acme.com in the Dashboard at 2026-12-03 10:42 UTC") {
		t.Errorf("detail does not say who:\n%s", f.Detail)
	}
	b, _ := json.Marshal(f)
	for _, want := range []string{`"changed_by":"alice@acme.com"`, `"changed_via":"Dashboard"`, `"changed_at":"2026-12-03T10:42:00Z"`, `"log_id":"` + f.Changed.LogID + `"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
	g := byPath["/clients/"+escapePointer(other)+"/callbacks"]
	if g.Changed != nil || !strings.Contains(g.Detail, "No admin change is recorded in the tenant logs between 2026-12-03 10:00 and 2026-12-03 11:00 UTC.") ||
		g.Category != watcher.Configuration {
		t.Errorf("unrecorded change = %+v (changed %+v), want no attribution and a note", g, g.Changed)
	}
	var made []watcher.Finding
	for _, f := range w.findings(auth0.RuleClientSettingChanged) {
		if strings.Contains(f.Path, "cross_origin_authentication") {
			made = append(made, f)
		}
	}
	if len(made) != 1 || made[0].Category != watcher.ThirdParty || !strings.Contains(made[0].Detail, "Auth0 itself likely made this change") {
		t.Errorf("a default made explicit with no admin change: %+v", made)
	}

	// A Management API client changes the tenant; the earlier findings
	// keep who made them.
	w.now = w.now.Add(time.Hour)
	w.sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tn.RemoveString(tn.Client("Acme Web"), "callbacks", "https://staging.acme.com/callback")
		tn.AddLog(providertest.SAPIClientEvent(w.now.Add(-10*time.Minute), "tfPr0dCl1ent", "terraform-prod",
			"PATCH", "/api/v2/clients/"+acme, "Update a client"))
	})
	w.poll()
	for _, f := range w.findings(auth0.RuleURLRemoved) {
		switch f.Path + " " + f.Old {
		case "/clients/Acme Web/callbacks https://staging.acme.com/callback":
			if f.Changed == nil || f.Changed.By != "terraform-prod" || !strings.Contains(f.Detail, "Changed by the Management API client 'terraform-prod'") {
				t.Errorf("terraform change = %+v (changed %+v)", f, f.Changed)
			}
		case "/clients/Acme Web/callbacks https://app.acme.com/callback":
			if f.Changed == nil || f.Changed.By != "alice@acme.com" {
				t.Errorf("the carried finding lost its attribution: %+v", f.Changed)
			}
		}
	}
}

// TestLogsCheckpoint: logs are read by checkpoint (from = the last id,
// take = 100), a bounded number of pages per poll, each event once.
func TestLogsCheckpoint(t *testing.T) {
	w := newLogWorld(t)
	w.p.MaxLogPages = 2
	acme := w.clientID("Acme Web")
	w.sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tn.AddLog(providertest.DepnoteEvent(w.now.Add(-2*time.Hour), acme, "Acme Web", "Legacy Lock API"))
	})
	w.poll() // no checkpoint: one search page, newest first
	w.now = w.now.Add(time.Hour)
	w.sim.Mutate(func(tn *providertest.Auth0Tenant) {
		for i := 0; i < 250; i++ {
			tn.AddLog(providertest.SuccessLoginEvent(w.now.Add(-time.Duration(250-i)*time.Second), acme, "Acme Web"))
			if i%50 == 0 {
				tn.AddLog(providertest.DepnoteEvent(w.now.Add(-time.Duration(250-i)*time.Second), acme, "Acme Web", "Legacy Lock API"))
			}
		}
	})
	w.poll() // two pages of 100: still behind
	w.now = w.now.Add(time.Hour)
	w.poll() // the rest
	w.now = w.now.Add(time.Hour)
	w.poll() // nothing new

	qs := w.sim.Queries(providertest.Auth0LogsPath)
	if len(qs) < 5 {
		t.Fatalf("log requests = %v", qs)
	}
	first, _ := url.ParseQuery(qs[0])
	if first.Get("q") != "type:(sapi OR depnote)" || first.Get("from") != "" {
		t.Errorf("first read = %q, want a search for sapi and depnote events", qs[0])
	}
	seen := map[string]bool{}
	for _, q := range qs[1:] {
		v, _ := url.ParseQuery(q)
		if v.Get("from") == "" || v.Get("take") != "100" || v.Has("q") {
			t.Errorf("checkpoint read = %q, want from and take=100 only", q)
		}
		if seen[v.Get("from")] && v.Get("from") != lastFrom(qs) {
			t.Errorf("checkpoint %s read twice", v.Get("from"))
		}
		seen[v.Get("from")] = true
	}
	if n := len(qs) - 1; n != 2+1+1 {
		t.Errorf("%d checkpoint pages, want 2 (the bound), 1 (the rest), 1 (nothing new)", n)
	}
	fs := w.findings(auth0.RuleDeprecationInUse)
	if len(fs) != 1 || !strings.Contains(fs[0].Detail, "Auth0 logged 6 deprecation notice(s)") {
		t.Fatalf("deprecation findings = %+v, want one counting each of the 6 notices once", fs)
	}
}

// lastFrom is the checkpoint of the last request, which an idle poll
// repeats.
func lastFrom(qs []string) string {
	v, _ := url.ParseQuery(qs[len(qs)-1])
	return v.Get("from")
}

// TestDeprecationInUse: depnote events become one finding per feature and
// client, naming both, with the count, first and last seen and the
// matching deprecations.json entry (breaking past its end of life); it
// resolves after 14 days without a new notice.
func TestDeprecationInUse(t *testing.T) {
	w := newLogWorld(t)
	acme := w.clientID("Acme Web")
	w.poll()
	w.now = w.now.Add(3 * time.Hour)
	w.sim.Mutate(func(tn *providertest.Auth0Tenant) {
		for h := 3; h >= 1; h-- {
			tn.AddLog(providertest.DepnoteEvent(w.now.Add(-time.Duration(h)*time.Hour), acme, "Acme Web", "Legacy Lock API"))
		}
		tn.AddLog(providertest.DepnoteEvent(w.now.Add(-time.Hour), acme, "Acme Web", "Rules"))
		tn.AddLog(providertest.DepnoteEvent(w.now.Add(-time.Hour), "0therCl1entId", "Back office", "Legacy Lock API"))
	})
	w.poll()
	fs := w.findings(auth0.RuleDeprecationInUse)
	if len(fs) != 3 {
		t.Fatalf("%d findings, want 3 (two features of Acme Web, one of Back office): %+v", len(fs), fs)
	}
	var lock, rules watcher.Finding
	for _, f := range fs {
		if f.Category != watcher.ThirdParty {
			t.Errorf("%s: category %s, want third-party", f.Title, f.Category)
		}
		switch {
		case strings.Contains(f.Title, "Legacy Lock API") && strings.Contains(f.Title, `"Acme Web"`):
			lock = f
		case strings.Contains(f.Title, "Rules"):
			rules = f
		}
	}
	if !strings.Contains(lock.Detail, "Auth0 logged 3 deprecation notice(s)") || !strings.Contains(lock.Detail, acme) ||
		!strings.Contains(lock.Detail, "first 2026-12-03 10:00 UTC, last 2026-12-03 12:00 UTC") || lock.Severity != watcher.Warning {
		t.Errorf("Legacy Lock API finding = %+v", lock)
	}
	if rules.Severity != watcher.Breaking || !strings.Contains(rules.Detail, `"rules-eol"`) || !strings.Contains(rules.Title, "end of life 2026-11-18") {
		t.Errorf("Rules finding = %+v, want the rules-eol entry, breaking past its end of life", rules)
	}

	// Quiet for 13 days: still open. Quiet for over 14: resolved.
	w.now = w.now.Add(13 * 24 * time.Hour)
	w.poll()
	if n := len(w.findings(auth0.RuleDeprecationInUse)); n != 3 {
		t.Errorf("after 13 quiet days %d open, want 3", n)
	}
	w.now = w.now.Add(2 * 24 * time.Hour)
	w.poll()
	if n := len(w.findings(auth0.RuleDeprecationInUse)); n != 0 {
		t.Errorf("after 15 quiet days %d open, want 0", n)
	}
	if n := len(w.findings(auth0.RuleDeprecationInUse, watcher.Resolved)); n != 3 {
		t.Errorf("%d resolved, want 3", n)
	}
}

// TestLogsForbidden: without read:logs the tenant is still snapshotted,
// with one auth0.scope_missing finding, and no attribution is claimed.
func TestLogsForbidden(t *testing.T) {
	w := newLogWorld(t)
	// The application is not granted read:logs: Auth0 answers 403
	// insufficient_scope on /api/v2/logs.
	w.sim.Mutate(func(tn *providertest.Auth0Tenant) { tn.Withheld["read:logs"] = true })
	w.poll()
	w.now = w.now.Add(time.Hour)
	w.sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tn.RemoveString(tn.Client("Acme Web"), "callbacks", "https://app.acme.com/callback")
	})
	w.poll()
	missing := w.findings(auth0.RuleScopeMissing)
	if len(missing) != 1 || !strings.Contains(missing[0].Title, auth0.ScopeLogs) {
		t.Fatalf("scope findings = %+v, want one about %s", missing, auth0.ScopeLogs)
	}
	for _, f := range w.findings(auth0.RuleURLRemoved) {
		if f.Changed != nil || strings.Contains(f.Detail, "No admin change") {
			t.Errorf("without logs a finding claims attribution: %s", f.Detail)
		}
	}
	// Granted later: the finding resolves.
	w.sim.Mutate(func(tn *providertest.Auth0Tenant) { delete(tn.Withheld, "read:logs") })
	w.now = w.now.Add(time.Hour)
	w.poll()
	if n := len(w.findings(auth0.RuleScopeMissing)); n != 0 {
		t.Errorf("%d scope findings after read:logs was granted", n)
	}
}

func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// TestEventReadBeforeTheLastSnapshotIsNotReusedForALaterChange: mallory's
// PATCH of Acme Web explains the poll that read it; the application
// re-created later with no log event is not said to be hers (neither by
// the slack allowed for clocks nor because her PATCH touched the client),
// while a DELETE logged for the re-creation is named.
func TestEventReadBeforeTheLastSnapshotIsNotReusedForALaterChange(t *testing.T) {
	w := newLogWorld(t)
	acme := w.clientID("Acme Web")
	w.poll() // the baseline

	w.now = w.now.Add(time.Hour)
	w.sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tn.RemoveString(tn.Client("Acme Web"), "callbacks", "https://app.acme.com/callback")
		tn.AddLog(providertest.SAPIEvent(w.now.Add(-time.Minute), "mallory@acme.com",
			"PATCH", "/api/v2/clients/"+acme, "Update a client"))
	})
	w.poll()
	if fs := w.findings(auth0.RuleURLRemoved); len(fs) != 1 || fs[0].Changed == nil || fs[0].Changed.By != "mallory@acme.com" {
		t.Fatalf("the PATCH's finding = %+v, want it changed by mallory", fs)
	}

	w.now = w.now.Add(4 * time.Second)
	w.sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tn.Client("Acme Web")["client_id"] = "ReCr3atedW1thNoL0gEvent00000000"
		tn.RemoveString(tn.Client("Acme Web"), "callbacks", "https://staging.acme.com/callback")
	})
	w.poll()
	fs := w.findings(auth0.RuleClientRecreated)
	if len(fs) != 1 {
		t.Fatalf("re-created findings = %+v, want one", fs)
	}
	if fs[0].Changed != nil || strings.Contains(fs[0].Detail, "Changed by") {
		t.Errorf("a re-creation with no log event was attributed: %+v\n%s", fs[0].Changed, fs[0].Detail)
	}
	// A PATCH-like change (a callback removed) with no event of its own is
	// not hers either, though her PATCH is within the clocks' slack.
	for _, f := range w.findings(auth0.RuleURLRemoved) {
		if f.Old == "https://staging.acme.com/callback" && f.Changed != nil {
			t.Errorf("the later callback removal was attributed to %+v (log %s)", f.Changed.By, f.Changed.LogID)
		}
	}
}

// TestRecreationIsAttributedToTheDeleteNotToAPatch: of the events read in
// the poll that finds an application re-created, a newer PATCH of the new
// client did not re-create it; the DELETE of the old one did.
func TestRecreationIsAttributedToTheDeleteNotToAPatch(t *testing.T) {
	w := newLogWorld(t)
	old := w.clientID("Acme Web")
	w.poll() // the baseline

	w.now = w.now.Add(time.Hour)
	const id = "ReCr3atedByB0b00000000000000000"
	w.sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tn.AddLog(providertest.SAPIEvent(w.now.Add(-20*time.Minute), "bob@acme.com", "DELETE", "/api/v2/clients/"+old, "Delete a client"))
		tn.Client("Acme Web")["client_id"] = id
		tn.AddLog(providertest.SAPIEvent(w.now.Add(-10*time.Minute), "mallory@acme.com", "PATCH", "/api/v2/clients/"+id, "Update a client"))
	})
	w.poll()
	fs := w.findings(auth0.RuleClientRecreated)
	if len(fs) != 1 || fs[0].Changed == nil || fs[0].Changed.By != "bob@acme.com" {
		t.Fatalf("re-created = %+v, want it changed by bob (the DELETE), not mallory (a PATCH)", fs)
	}
}
