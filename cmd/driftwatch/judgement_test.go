package main

import (
	"strconv"
	"strings"
	"testing"
)

func judgedConfig(url string) string {
	return `
[store]
path = "dw.db"

[[source]]
name = "orders-db"
type = "http_json"
url = "` + url + `"

  [[source.threshold]]
  path = "/metrics/cpu_percent"
  above = 90
  severity = "warning"

[[source]]
name = "status-page"
type = "http_json"
url = "` + url + `"

[[expect]]
source = "orders-db"
path = "/plan/allowed_origins"
contains = "https://app.acme.com"
note = "the SPA calls the API from this origin"
`
}

const healthy = `{"plan":{"allowed_origins":["https://app.acme.com","https://admin.acme.com"]},"metrics":{"cpu_percent":40}}`

func TestFindingsLifecycle(t *testing.T) {
	up := newUpstream(t, healthy)
	c := newCLI(t, judgedConfig(up.URL))
	c.mustRun(0, "poll")
	c.mustRun(0, "check")
	if r := c.mustRun(0, "findings"); !strings.Contains(r.stdout, "No open findings") {
		t.Fatalf("findings on a healthy upstream:\n%s", r.stdout)
	}

	// The plan outgrows its CPU and the origin the app relies on goes.
	up.set(200, "application/json", `{"plan":{"allowed_origins":["https://admin.acme.com"]},"metrics":{"cpu_percent":97}}`)
	for i := 0; i < 3; i++ {
		c.mustRun(0, "poll")
	}
	fs := decode[findingsJSON](t, c.mustRun(0, "findings", "--format", "json", "--source", "orders-db").stdout).Findings
	if len(fs) != 2 {
		t.Fatalf("three polls of two conditions gave %d findings, want 2: %+v", len(fs), fs)
	}
	byRule := map[string]findingJSON{}
	for _, f := range fs {
		byRule[f.Rule] = f
	}
	th, ex := byRule["threshold.above"], byRule["expect.contains"]
	if th.Category != "infrastructure" || th.Severity != "warning" || th.Path != "/metrics/cpu_percent" || th.State != "open" {
		t.Errorf("threshold finding = %+v", th)
	}
	if ex.Category != "configuration" || ex.Severity != "breaking" || !strings.Contains(ex.Title, "https://app.acme.com") ||
		!strings.Contains(ex.Detail, "the SPA calls the API from this origin") {
		t.Errorf("expectation finding = %+v", ex)
	}

	// check: breaking fails; warning is below the default --fail-on.
	r := c.mustRun(1, "check")
	if !strings.Contains(r.stdout, "FAIL") || !strings.Contains(r.stdout, "orders-db") || strings.Contains(r.stdout, "cpu_percent") ||
		!strings.Contains(r.stdout, "driftwatch ack") {
		t.Errorf("check text:\n%s", r.stdout)
	}
	if r.stderr != "" {
		t.Errorf("check wrote to stderr: %q", r.stderr)
	}
	cj := decode[struct {
		Status   string        `json:"status"`
		FailOn   string        `json:"fail_on"`
		Findings []findingJSON `json:"findings"`
		Stale    []any         `json:"stale"`
	}](t, c.mustRun(1, "check", "--format", "json").stdout)
	if cj.Status != "fail" || cj.FailOn != "breaking" || len(cj.Findings) != 1 || cj.Findings[0].ID != ex.ID || cj.Stale == nil {
		t.Errorf("check json = %+v", cj)
	}
	gh := c.mustRun(1, "check", "--format", "github", "--fail-on", "warning").stdout
	lines := strings.Split(strings.TrimSpace(gh), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "::error title=") && !strings.HasPrefix(lines[1], "::error title=") ||
		!strings.Contains(gh, "::warning title=") {
		t.Errorf("check github:\n%s", gh)
	}

	// Acknowledged: no longer fails; an unknown ID changes nothing.
	c.mustRun(1, "ack", itoa(ex.ID), "99999")
	c.mustRun(1, "check")
	c.mustRun(0, "ack", itoa(ex.ID), "--note", "origin moved on purpose")
	c.mustRun(0, "check")
	acked := decode[findingsJSON](t, c.mustRun(0, "findings", "--state", "acked", "--format", "json").stdout).Findings
	if len(acked) != 1 || acked[0].AckNote == nil || *acked[0].AckNote != "origin moved on purpose" || acked[0].AckedAt == nil {
		t.Fatalf("acked = %+v", acked)
	}
	c.mustRun(1, "check", "--fail-on", "warning") // the threshold is still open

	// Cleared: both resolve.
	up.set(200, "application/json", healthy)
	c.mustRun(0, "poll")
	c.mustRun(0, "check", "--fail-on", "info")
	res := decode[findingsJSON](t, c.mustRun(0, "findings", "--state", "resolved", "--format", "json").stdout).Findings
	if len(res) != 2 || res[0].ResolvedAt == nil || res[1].ResolvedAt == nil {
		t.Fatalf("resolved = %+v", res)
	}

	// It comes back: the same finding reopens, its ack cleared.
	up.set(200, "application/json", `{"plan":{"allowed_origins":[]},"metrics":{"cpu_percent":40}}`)
	c.mustRun(0, "poll")
	again := decode[findingsJSON](t, c.mustRun(0, "findings", "--format", "json").stdout).Findings
	if len(again) != 1 || again[0].ID != ex.ID || again[0].State != "open" || again[0].AckedAt != nil || again[0].ResolvedAt != nil {
		t.Fatalf("reopened = %+v, want finding %d open again with ack cleared", again, ex.ID)
	}
}

func TestCheckMaxAge(t *testing.T) {
	up := newUpstream(t, healthy)
	c := newCLI(t, judgedConfig(up.URL))
	c.mustRun(0, "poll", "--source", "orders-db")
	r := c.mustRun(1, "check", "--max-age", "24h", "--format", "json")
	cj := decode[struct {
		Status string `json:"status"`
		Stale  []struct {
			Source      string  `json:"source"`
			LastSuccess *string `json:"last_success"`
		} `json:"stale"`
	}](t, r.stdout)
	if cj.Status != "fail" || len(cj.Stale) != 1 || cj.Stale[0].Source != "status-page" || cj.Stale[0].LastSuccess != nil {
		t.Fatalf("never-fetched source not stale: %+v", cj)
	}
	gh := c.mustRun(1, "check", "--max-age", "24h", "--format", "github").stdout
	if !strings.Contains(gh, "::error title=stale source status-page::") {
		t.Fatalf("github stale line missing:\n%s", gh)
	}
	c.mustRun(0, "check", "--max-age", "24h", "--source", "orders-db")

	// A source whose last success is older than max-age is stale too.
	up.set(500, "text/plain", "down")
	c.mustRun(1, "poll", "--source", "orders-db")
	text := c.mustRun(1, "check", "--max-age", "1ns", "--source", "orders-db").stdout
	if !strings.Contains(text, "stale") || !strings.Contains(text, "last successful fetch") {
		t.Fatalf("old success not stale:\n%s", text)
	}
	c.mustRun(2, "check", "--max-age", "soon")
	c.mustRun(2, "check", "--fail-on", "critical")
	c.mustRun(2, "check", "--source", "nope")
}

func TestCheckRefreshPollsFirst(t *testing.T) {
	up := newUpstream(t, `{"plan":{"allowed_origins":[]},"metrics":{"cpu_percent":40}}`)
	c := newCLI(t, judgedConfig(up.URL))
	r := c.mustRun(1, "check", "--refresh")
	if strings.Contains(r.stdout, "[breaking]") {
		t.Fatalf("check --refresh printed notices on stdout:\n%s", r.stdout)
	}
	if up.requests != 2 {
		t.Fatalf("refresh made %d requests, want 2 (one per source)", up.requests)
	}
	// The queued notice is delivered by the next delivering command.
	p := c.mustRun(0, "poll")
	if !strings.Contains(p.stdout, "allowed_origins") {
		t.Fatalf("poll did not deliver the notice queued by check --refresh:\n%s", p.stdout)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// --max-age is echoed as the user wrote it, not as Go prints a duration.
func TestCheckMaxAgeEchoedAsGiven(t *testing.T) {
	up := newUpstream(t, healthy)
	c := newCLI(t, judgedConfig(up.URL))
	c.mustRun(0, "poll", "--source", "orders-db")
	for _, format := range []string{"text", "json", "github"} {
		out := c.mustRun(0, "check", "--max-age", "1d", "--source", "orders-db", "--format", format).stdout
		if format != "github" && !strings.Contains(out, "1d") || strings.Contains(out, "24h") {
			t.Errorf("--format %s does not echo 1d:\n%s", format, out)
		}
	}
	out := c.mustRun(1, "check", "--max-age", "1d", "--format", "text").stdout
	if !strings.Contains(out, "(max age 1d)") || strings.Contains(out, "24h") {
		t.Errorf("stale line does not echo 1d:\n%s", out)
	}
}

// diff with one snapshot says there is nothing to compare yet, exit 0;
// its JSON has from = to and no changes.
func TestDiffOfOneSnapshotSaysSo(t *testing.T) {
	up := newUpstream(t, healthy)
	c := newCLI(t, judgedConfig(up.URL))
	c.mustRun(0, "poll", "--source", "orders-db")
	out := c.mustRun(0, "diff", "orders-db").stdout
	if !strings.Contains(out, "orders-db: only one snapshot (#1, ") || !strings.Contains(out, "so far: nothing to compare yet") || strings.Contains(out, "0 change(s)") {
		t.Errorf("diff of one snapshot:\n%s", out)
	}
	j := decode[struct {
		From, To int64
		Changes  []any
	}](t, c.mustRun(0, "diff", "orders-db", "--format", "json").stdout)
	if j.From != 1 || j.To != 1 || j.Changes == nil || len(j.Changes) != 0 {
		t.Errorf("diff JSON of one snapshot: %+v", j)
	}
}
