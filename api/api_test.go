package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/api"
	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// world is a store with two snapshots of one source and two findings,
// behind the API, with a settable clock.
type world struct {
	db     *store.DB
	local  *api.Local
	srv    *httptest.Server
	now    time.Time
	cpu    watcher.Finding
	disk   watcher.Finding
	tokens api.Tokens
}

func newWorld(t *testing.T, tokens api.Tokens) *world {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "driftwatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg, err := config.Parse("driftwatch.toml", []byte(`
[[source]]
name = "orders-db"
type = "http_json"
url = "https://status.example.com/db"
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{db: db, now: t0, tokens: tokens}
	w.cpu = watcher.Finding{Source: "orders-db", Rule: "threshold.above", Severity: watcher.Breaking, Category: watcher.Infrastructure,
		Path: "/metrics/cpu_percent", Title: "/metrics/cpu_percent is 97, above the limit of 90"}
	w.disk = watcher.Finding{Source: "orders-db", Rule: "threshold.above", Severity: watcher.Breaking, Category: watcher.Infrastructure,
		Path: "/metrics/disk/used_percent", Title: "/metrics/disk/used_percent is 99, above the limit of 90"}
	for i, body := range []string{`{"metrics":{"cpu_percent":40}}`, `{"metrics":{"cpu_percent":97,"disk":{"used_percent":99}}}`} {
		c := &watcher.Commit{Source: "orders-db", Type: "http_json", At: t0.Add(time.Duration(i) * time.Minute),
			Snapshot: &watcher.NewSnapshot{Hash: strings.Repeat(string(rune('a'+i)), 64), Body: []byte(body), Changes: i},
			Judged:   true, Policy: watcher.NoticePolicy{MinSeverity: watcher.Warning}, Group: "g"}
		if i == 1 {
			c.BaseHash = strings.Repeat("a", 64)
			c.Findings = []watcher.Finding{w.cpu, w.disk}
		}
		if _, err := db.Commit(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	w.local = api.NewLocal(db, cfg)
	w.local.Now = func() time.Time { return w.now }
	mux := http.NewServeMux()
	api.NewServer(w.local, tokens, nil).Register(mux)
	w.srv = httptest.NewServer(mux)
	t.Cleanup(w.srv.Close)
	return w
}

func (w *world) client(t *testing.T, token string) *api.Client {
	t.Helper()
	c, err := api.NewClient(w.srv.URL, token, w.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func request(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	var b strings.Builder
	if err := api.Encode(&b, v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestAPIOffWithoutToken(t *testing.T) {
	w := newWorld(t, api.Tokens{})
	for _, p := range []string{"/api/v1/check", "/api/v1/findings", "/api/v1/sources"} {
		if code, _ := request(t, "GET", w.srv.URL+p, "anything", ""); code != http.StatusNotFound {
			t.Errorf("GET %s with no token configured = %d, want 404", p, code)
		}
	}
	_, err := w.client(t, "x").Check(context.Background(), api.CheckQuery{})
	if api.ErrorCode(err) != api.Unavailable || !strings.Contains(err.Error(), "api_token") {
		t.Fatalf("client on an API that is off: %v", err)
	}
}

// TestAPITokens: a wrong token is a 401 without detail; the read token
// asked to write is a 403 that says the token may only read, and the
// client says so too.
func TestAPITokens(t *testing.T) {
	w := newWorld(t, api.Tokens{Read: "r-token", Write: "w-token"})
	for _, tc := range []struct {
		method, path, token, body string
		want                      int
	}{
		{"GET", "/api/v1/check", "", "", 401},
		{"GET", "/api/v1/check", "r-token-", "", 401},
		{"GET", "/api/v1/check", "r-token", "", 200},
		{"GET", "/api/v1/check", "w-token", "", 200},
		{"POST", "/api/v1/acks", "r-token", `{"ids":[1]}`, 403},
		{"POST", "/api/v1/silences", "r-token", `{"rule":"x","for":"1h","comment":"c"}`, 403},
		{"DELETE", "/api/v1/silences/1", "r-token", "", 403},
		{"POST", "/api/v1/acks", "w-token-", `{"ids":[1]}`, 401},
		{"POST", "/api/v1/acks", "w-token", `{"ids":[99]}`, 404},
		{"POST", "/api/v1/acks", "w-token", `{"ids":[1], "bogus": 1}`, 400},
		{"GET", "/api/v1/nothing-here", "r-token", "", 404},
	} {
		code, body := request(t, tc.method, w.srv.URL+tc.path, tc.token, tc.body)
		if code != tc.want {
			t.Errorf("%s %s with %q = %d, want %d: %s", tc.method, tc.path, tc.token, code, tc.want, body)
		}
		if code == 401 && strings.TrimSpace(body) != `{
  "code": "unauthorized",
  "error": "unauthorized"
}` {
			t.Errorf("a 401 says more than unauthorized: %s", body)
		}
		if code == 403 && strings.TrimSpace(body) != `{
  "code": "forbidden",
  "error": "this token may only read"
}` {
			t.Errorf("a 403 does not say the token may only read: %s", body)
		}
	}
	_, ackErr := w.client(t, "r-token").Ack(context.Background(), api.AckRequest{IDs: []string{"1"}})
	if api.ErrorCode(ackErr) != api.Forbidden || !strings.Contains(ackErr.Error(), "this token may only read") || strings.Contains(ackErr.Error(), "DRIFTWATCH_TOKEN") {
		t.Errorf("client ack with the read token: %v", ackErr)
	}
	// A browser's basic auth: the token as the password.
	req, _ := http.NewRequest("GET", w.srv.URL+"/api/v1/findings", nil)
	req.SetBasicAuth("anyone", "r-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("basic auth: %v %v", err, resp)
	}
	resp.Body.Close()
	// One token alone does both.
	w1 := newWorld(t, api.Tokens{Read: "only"})
	if code, body := request(t, "POST", w1.srv.URL+"/api/v1/acks", "only", `{"ids":[1]}`); code != 200 {
		t.Fatalf("ack with the only token = %d %s", code, body)
	}
}

// TestClientMatchesLocal: every answer is the same from the store and
// over HTTP, errors and their codes included.
func TestClientMatchesLocal(t *testing.T) {
	w := newWorld(t, api.Tokens{Read: "r"})
	ctx := context.Background()
	var svcs = map[string]api.Service{"local": w.local, "remote": w.client(t, "r")}
	answers := map[string][]string{}
	for name, svc := range svcs {
		check, err := svc.Check(ctx, api.CheckQuery{FailOn: watcher.Warning, MaxAge: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		fs, err := svc.Findings(ctx, api.FindingQuery{State: "all"})
		if err != nil {
			t.Fatal(err)
		}
		one, err := svc.Finding(ctx, fs[0].Fingerprint[:10])
		if err != nil {
			t.Fatal(err)
		}
		h, err := svc.History(ctx, "orders-db")
		if err != nil {
			t.Fatal(err)
		}
		d, err := svc.Diff(ctx, "orders-db", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		snap, err := svc.Snapshot(ctx, "orders-db", 0)
		if err != nil {
			t.Fatal(err)
		}
		_, errSource := svc.History(ctx, "nope")
		_, errSnap := svc.Snapshot(ctx, "orders-db", 99)
		_, errFinding := svc.Finding(ctx, "12345678")
		_, errState := svc.Findings(ctx, api.FindingQuery{State: "weird"})
		answers[name] = []string{asJSON(t, check), asJSON(t, fs), asJSON(t, one), asJSON(t, h), asJSON(t, d), string(snap.Body),
			errSource.Error(), string(api.ErrorCode(errSource)), errSnap.Error(), string(api.ErrorCode(errSnap)),
			errFinding.Error(), string(api.ErrorCode(errFinding)), errState.Error(), string(api.ErrorCode(errState))}
	}
	for i := range answers["local"] {
		if l, r := answers["local"][i], answers["remote"][i]; l != r {
			t.Errorf("answer %d differs:\nlocal:  %s\nremote: %s", i, l, r)
		}
	}
	if !strings.Contains(answers["local"][0], `"status": "fail"`) || !strings.Contains(answers["local"][0], `"stale": [`) {
		t.Errorf("check = %s", answers["local"][0])
	}
	if got := answers["local"][7]; got != string(api.NotFound) {
		t.Errorf("unknown source code = %s", got)
	}
}

func TestAckAllOrNothingAndExpiry(t *testing.T) {
	w := newWorld(t, api.Tokens{Read: "r", Write: "w"})
	ctx := context.Background()
	c := w.client(t, "w")
	fs, _ := w.local.Findings(ctx, api.FindingQuery{})
	if len(fs) != 2 {
		t.Fatalf("open findings = %d", len(fs))
	}
	_, err := c.Ack(ctx, api.AckRequest{IDs: []string{fs[0].Fingerprint, "424242"}, Note: "n"})
	if api.ErrorCode(err) != api.NotFound || !strings.Contains(err.Error(), "unknown finding ID 424242; nothing acknowledged") {
		t.Fatalf("ack with an unknown ID: %v", err)
	}
	if open, _ := w.local.Findings(ctx, api.FindingQuery{}); len(open) != 2 {
		t.Fatalf("a partial ack changed something: %d open", len(open))
	}
	w.now = t0.Add(5 * time.Minute)
	acked, err := c.Ack(ctx, api.AckRequest{IDs: []string{fs[0].Fingerprint}, Note: "after the sale", For: "2h", Author: "ana"})
	if err != nil || len(acked) != 1 || acked[0].Ack == nil || acked[0].Ack.Author != "ana" || acked[0].Ack.ExpiresAt == nil ||
		*acked[0].Ack.ExpiresAt != watcher.FormatTime(w.now.Add(2*time.Hour)) {
		t.Fatalf("ack: %v %+v", err, acked)
	}
	check, _ := w.local.Check(ctx, api.CheckQuery{})
	if len(check.Findings) != 1 {
		t.Fatalf("check after one ack: %d failing", len(check.Findings))
	}
	w.now = w.now.Add(2*time.Hour + time.Second)
	check, _ = w.local.Check(ctx, api.CheckQuery{})
	if len(check.Findings) != 2 {
		t.Fatalf("check after the ack expired: %d failing, want 2", len(check.Findings))
	}
	f, _ := w.local.Finding(ctx, itoa(fs[0].ID))
	if f.State != watcher.Open || f.Ack == nil || !f.Ack.Expired {
		t.Fatalf("expired ack: state %s, ack %+v", f.State, f.Ack)
	}
}

func TestSilences(t *testing.T) {
	w := newWorld(t, api.Tokens{Read: "r", Write: "w"})
	ctx := context.Background()
	c := w.client(t, "w")
	for _, bad := range []api.SilenceRequest{
		{For: "1h", Comment: "no matcher"},
		{Path: "/x", Comment: "no end"},
		{Path: "/x", For: "1h"},
		{Path: "/x", For: "1h", Until: "2030-01-01", Comment: "both"},
		{Path: "/x", Until: "2020-01-01", Comment: "past"},
		{Path: "/[", For: "1h", Comment: "bad glob"},
		{Path: "/x", For: "soon", Comment: "bad duration"},
	} {
		if _, err := c.AddSilence(ctx, bad); api.ErrorCode(err) != api.Invalid {
			t.Errorf("%+v: %v, want invalid", bad, err)
		}
	}
	s, err := c.AddSilence(ctx, api.SilenceRequest{Path: "/metrics/disk/**", For: "30m", Comment: "disk migration", Author: "ops"})
	if err != nil || !s.Active || s.EndsAt != watcher.FormatTime(t0.Add(30*time.Minute)) {
		t.Fatalf("add: %v %+v", err, s)
	}
	check, _ := w.local.Check(ctx, api.CheckQuery{})
	if len(check.Findings) != 1 || len(check.Silenced) != 1 || check.Silenced[0].Path != w.disk.Path || check.Silenced[0].Silence.ID != s.ID {
		t.Fatalf("check with a silence: %s", asJSON(t, check))
	}
	w.now = t0.Add(30 * time.Minute)
	if check, _ = w.local.Check(ctx, api.CheckQuery{}); len(check.Findings) != 2 || len(check.Silenced) != 0 {
		t.Fatalf("check after the silence ended: %s", asJSON(t, check))
	}
	if active, _ := c.Silences(ctx, false); len(active) != 0 {
		t.Fatalf("ended silence still listed: %+v", active)
	}
	if all, _ := c.Silences(ctx, true); len(all) != 1 || all[0].Active {
		t.Fatalf("all silences = %+v", all)
	}
	s2, _ := c.AddSilence(ctx, api.SilenceRequest{Rule: "threshold.*", Until: "2027-01-01", Comment: "all thresholds"})
	if check, _ = w.local.Check(ctx, api.CheckQuery{}); check.Status != "pass" || len(check.Silenced) != 2 {
		t.Fatalf("check under a rule silence: %s", asJSON(t, check))
	}
	if _, err := c.ExpireSilence(ctx, s2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExpireSilence(ctx, 999); api.ErrorCode(err) != api.NotFound {
		t.Fatalf("expire unknown: %v", err)
	}
	if check, _ = w.local.Check(ctx, api.CheckQuery{}); check.Status != "fail" {
		t.Fatalf("check after expiring: %s", asJSON(t, check))
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// An ack that runs out stays in the finding's history with its author,
// note and expiry; the expiry is the system's event, not the author's.
func TestExpiredAckKeepsItsHistory(t *testing.T) {
	w := newWorld(t, api.Tokens{Read: "r", Write: "w"})
	ctx := context.Background()
	fs, _ := w.local.Findings(ctx, api.FindingQuery{})
	w.now = t0.Add(5 * time.Minute)
	acked := w.now
	if _, err := w.client(t, "w").Ack(ctx, api.AckRequest{IDs: []string{itoa(fs[0].ID)}, Note: "t", For: "2s", Author: "ana"}); err != nil {
		t.Fatal(err)
	}
	w.now = w.now.Add(3 * time.Second)
	ex, err := w.client(t, "r").Explain(ctx, itoa(fs[0].ID))
	if err != nil {
		t.Fatal(err)
	}
	if ex.Finding.State != watcher.Open || ex.Finding.Ack == nil || ex.Finding.Ack.Note != "t" || !ex.Finding.Ack.Expired {
		t.Fatalf("finding after its ack expired: state %s, ack %+v", ex.Finding.State, ex.Finding.Ack)
	}
	var got []string
	for _, e := range ex.History {
		got = append(got, e.At+" "+e.Event+" author="+e.Author+" note="+e.Note+" until="+deref(e.Until))
	}
	until := watcher.FormatTime(acked.Add(2 * time.Second))
	want := []string{
		watcher.FormatTime(acked) + " acknowledged author=ana note=t until=" + until,
		until + " acknowledgement by ana expired author= note= until=",
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("history lacks %q:\n%s", w, strings.Join(got, "\n"))
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// API errors name the query parameters and body fields a request sets;
// the same errors in the CLI (local or over the API) name its flags.
func TestAPIErrorsNameParameters(t *testing.T) {
	w := newWorld(t, api.Tokens{Read: "r"})
	for _, tc := range []struct{ method, path, body, want string }{
		{"GET", "/api/v1/findings?state=bogus", "", "`state` \"bogus\": want open, acked, resolved or all"},
		{"GET", "/api/v1/check?max_age=soon", "", "`max_age`: "},
		{"GET", "/api/v1/check?fail_on=loud", "", "`fail_on`: "},
		{"POST", "/api/v1/silences", `{"rule":"x","comment":"c"}`, "a silence needs an end: `for` DURATION or `until` TIME"},
		{"POST", "/api/v1/acks", `{"ids":[1],"for":"forever"}`, "`for`: "},
	} {
		code, body := request(t, tc.method, w.srv.URL+tc.path, "r", tc.body)
		var e api.Error
		if err := json.Unmarshal([]byte(body), &e); err != nil || code != 400 || !strings.Contains(e.Msg, tc.want) || strings.Contains(e.Msg, "--") {
			t.Errorf("%s %s = %d %s, want an error naming the parameter: %s", tc.method, tc.path, code, body, tc.want)
		}
	}
	ctx := context.Background()
	for name, svc := range map[string]api.Service{"local": w.local, "remote": w.client(t, "r")} {
		_, err := svc.Findings(ctx, api.FindingQuery{State: "bogus"})
		if err == nil || err.Error() != `--state "bogus": want open, acked, resolved or all` {
			t.Errorf("%s: findings with a bad state: %v", name, err)
		}
	}
}

// The staleness bound is echoed as given, from the store and over HTTP.
func TestCheckEchoesMaxAgeAsGiven(t *testing.T) {
	w := newWorld(t, api.Tokens{Read: "r"})
	ctx := context.Background()
	for name, svc := range map[string]api.Service{"local": w.local, "remote": w.client(t, "r")} {
		res, err := svc.Check(ctx, api.CheckQuery{FailOn: watcher.Breaking, MaxAge: 24 * time.Hour, MaxAgeText: "1d"})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.MaxAge != "1d" {
			t.Errorf("%s: max_age = %q, want 1d", name, res.MaxAge)
		}
	}
}
