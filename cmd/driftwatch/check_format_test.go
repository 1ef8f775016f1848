package main

import (
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/api"
)

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour: "1h", 24 * time.Hour: "24h", 7 * 24 * time.Hour: "7d", 90 * time.Minute: "1h30m",
		30 * time.Second: "30s", time.Hour + time.Second: "1h0m1s", time.Nanosecond: "1ns", 36 * time.Hour: "36h",
	} {
		if got := api.FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
		if back, err := api.ParseDuration(want); err != nil || back != d {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", want, back, err, d)
		}
	}
}

// TestCheckTextAligned: the finding rows line up, and durations read as
// they were given.
func TestCheckTextAligned(t *testing.T) {
	up := newUpstream(t, `{"plan":{"allowed_origins":[]},"metrics":{"cpu_percent":97}}`)
	c := newCLI(t, judgedConfig(up.URL))
	c.mustRun(0, "poll", "--source", "orders-db")
	out := c.mustRun(1, "check", "--fail-on", "warning", "--max-age", "7d").stdout
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "FAIL: 2 open finding(s) at or above warning, 1 stale source(s)") {
		t.Fatalf("check text:\n%s", out)
	}
	rows := lines[1:4]
	col := func(line, word string) int { return strings.Index(line, word) }
	for _, word := range []string{"orders-db", "#"} {
		if a, b := col(rows[0], word), col(rows[1], word); a < 0 || a != b {
			t.Errorf("%q not aligned:\n%s", word, out)
		}
	}
	if !strings.Contains(rows[2], "status-page") || col(rows[2], "status-page") != col(rows[0], "orders-db") ||
		!strings.Contains(rows[2], "(max age 7d)") {
		t.Errorf("stale row:\n%s", out)
	}
	if strings.Contains(out, "0m0s") {
		t.Errorf("durations printed the Go way:\n%s", out)
	}
}

func TestCheckMarkdown(t *testing.T) {
	up := newUpstream(t, healthy)
	c := newCLI(t, judgedConfig(up.URL))
	c.mustRun(0, "poll")
	pass := c.mustRun(0, "check", "--format", "markdown", "--max-age", "24h").stdout
	if !strings.HasPrefix(pass, "### driftwatch check: passed") || !strings.Contains(pass, "within 24h (2 sources)") {
		t.Errorf("pass:\n%s", pass)
	}
	up.set(200, "application/json", `{"plan":{"allowed_origins":[]},"metrics":{"cpu_percent":97}}`)
	c.mustRun(0, "poll")
	fail := c.mustRun(1, "check", "--format", "markdown", "--fail-on", "warning").stdout
	for _, want := range []string{"### driftwatch check: failed", "| severity | source | finding | title | category | rule |",
		"| breaking | orders-db | #", "| warning | orders-db | #", "`expect.contains`", "driftwatch ack "} {
		if !strings.Contains(fail, want) {
			t.Errorf("markdown lacks %q:\n%s", want, fail)
		}
	}
}

// TestMarkdownCellEscapes: upstream text cannot open HTML, links, mentions
// or break out of its table cell.
func TestMarkdownCellEscapes(t *testing.T) {
	got := mdCell("<img src=x onerror=alert(1)> [click](https://evil) @team | *bold*\nnext & `code`")
	for _, bad := range []string{"<", ">", "](", " | ", "\n", "*bold*", " @team"} {
		if strings.Contains(got, bad) {
			t.Errorf("mdCell left %q: %s", bad, got)
		}
	}
	if !strings.Contains(got, "&lt;img") || !strings.Contains(got, "\\|") || !strings.Contains(got, "&amp;") {
		t.Errorf("mdCell = %s", got)
	}
}
