package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// complete asks cobra's completion protocol, as the shell scripts do, and
// returns the offered values.
func (c *cli) complete(args ...string) []string {
	c.t.Helper()
	r := c.mustRun(0, append([]string{"__complete"}, args...)...)
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if strings.HasPrefix(line, ":") || line == "" {
			continue // the directive
		}
		name, _, _ := strings.Cut(line, "\t")
		out = append(out, name)
	}
	return out
}

func TestCompletionValues(t *testing.T) {
	c := newCLI(t, `
[[source]]
name = "auth0-prod"
type = "feed"
url = "https://example.com/a.rss"

[[source]]
name = "orders-db"
type = "http_json"
url = "https://example.com/db"
`)
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"check", "--format", ""}, []string{"text", "json", "github", "markdown"}},
		{[]string{"findings", "--format", ""}, []string{"text", "json"}},
		{[]string{"check", "--fail-on", ""}, []string{"info", "warning", "breaking"}},
		{[]string{"findings", "--state", ""}, []string{"open", "acked", "resolved", "all"}},
		{[]string{"poll", "--source", ""}, []string{"auth0-prod", "orders-db"}},
		{[]string{"check", "--source", "or"}, []string{"orders-db"}},
		{[]string{"history", ""}, []string{"auth0-prod", "orders-db"}},
		{[]string{"diff", "auth0-prod", ""}, nil},
		{[]string{"--log-format", ""}, []string{"text", "json"}},
	}
	for _, tt := range tests {
		if got := c.complete(tt.args...); !slices.Equal(got, tt.want) {
			t.Errorf("complete %q = %q, want %q", tt.args, got, tt.want)
		}
	}
	// A config that does not load offers no names, and no error.
	c.writeConfig("[[source]]\nname = 1\n")
	if got := c.complete("history", ""); len(got) != 0 {
		t.Errorf("broken config: offered %q", got)
	}
}

func TestCompletionScripts(t *testing.T) {
	c := newCLI(t, "")
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := c.mustRun(0, "completion", shell)
		if !strings.Contains(r.stdout, "driftwatch") || !strings.Contains(r.stdout, "__complete") {
			t.Errorf("completion %s: no script:\n%.200s", shell, r.stdout)
		}
	}
}

func TestManPages(t *testing.T) {
	c := newCLI(t, "")
	dir := filepath.Join(c.dir, "man")
	c.mustRun(0, "man", dir)
	for _, page := range []string{"driftwatch.1", "driftwatch-check.1", "driftwatch-poll.1", "driftwatch-run.1"} {
		b, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), ".TH \"DRIFTWATCH\" \"1\"") {
			t.Errorf("%s is not a man page:\n%.200s", page, b)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "driftwatch-check.1"))
	if !strings.Contains(string(b), `\fB--fail-on\fP`) {
		t.Errorf("driftwatch-check.1 does not document --fail-on")
	}
}
