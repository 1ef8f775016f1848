package main

import (
	"strings"
	"testing"
)

func jsonConfig(url string) string {
	return `
[store]
path = "state/dw.db"

[[source]]
name = "orders-db"
type = "http_json"
schedule = "@every 15m"
url = "` + url + `"
ignore = ["/lastUpdated", "/nodes/*/heartbeat"]
`
}

func TestPollStoresOnlyChanges(t *testing.T) {
	up := newUpstream(t, `{"plan":"basic","metrics":{"cpu_percent":50},"lastUpdated":"a","nodes":[{"id":1,"heartbeat":1}]}`)
	c := newCLI(t, jsonConfig(up.URL))

	c.mustRun(0, "poll")
	c.mustRun(0, "poll")
	if got := c.snapshots("orders-db"); got != 1 {
		t.Fatalf("two unchanged polls stored %d snapshots, want 1", got)
	}

	t.Run("IgnoredChurn", func(t *testing.T) {
		up.set(200, "application/json", `{"plan":"basic","metrics":{"cpu_percent":50},"lastUpdated":"b","nodes":[{"id":1,"heartbeat":2}]}`)
		c.mustRun(0, "poll")
		if got := c.snapshots("orders-db"); got != 1 {
			t.Fatalf("ignored churn stored a snapshot: %d snapshots", got)
		}
	})

	t.Run("ChangedValue", func(t *testing.T) {
		up.set(200, "application/json", `{"plan":"pro","metrics":{"cpu_percent":50},"lastUpdated":"c","nodes":[{"id":1,"heartbeat":3}]}`)
		c.mustRun(0, "poll")
		h := decode[historyJSON](t, c.mustRun(0, "history", "orders-db", "--format", "json").stdout)
		if len(h.Snapshots) != 2 || h.Snapshots[0].Changes != 1 || h.Snapshots[1].Changes != 0 {
			t.Fatalf("history = %+v, want 2 snapshots, newest with 1 change", h.Snapshots)
		}
		type change struct {
			Path string `json:"path"`
			Op   string `json:"op"`
			Old  any    `json:"old"`
			New  any    `json:"new"`
		}
		d := decode[struct {
			Source  string   `json:"source"`
			From    int64    `json:"from"`
			To      int64    `json:"to"`
			Changes []change `json:"changes"`
		}](t, c.mustRun(0, "diff", "orders-db", "--format", "json").stdout)
		want := change{Path: "/plan", Op: "changed", Old: "basic", New: "pro"}
		if d.Source != "orders-db" || d.From != h.Snapshots[1].ID || d.To != h.Snapshots[0].ID || len(d.Changes) != 1 || d.Changes[0] != want {
			t.Fatalf("diff = %+v, want one change %+v from %d to %d", d, want, h.Snapshots[1].ID, h.Snapshots[0].ID)
		}
		show := c.mustRun(0, "show", "orders-db", "--format", "json").stdout
		if strings.Contains(show, "lastUpdated") || !strings.Contains(show, `"plan":"pro"`) {
			t.Fatalf("show = %s, want the canonical document without ignored paths", show)
		}
	})
}

func TestPollFailuresStoreNothing(t *testing.T) {
	for _, tc := range []struct {
		name, ctype, body string
		status            int
		want              string
	}{
		{"HTMLLoginPage", "text/html", "<html><body>Please log in</body></html>", 200, "not a whole JSON document (text/html)"},
		{"TruncatedBody", "application/json", `{"plan":"basic","metrics":{"cpu`, 200, "not a whole JSON document"},
		{"ServerError", "text/plain", "upstream exploded", 500, "HTTP 500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up := newUpstream(t, "")
			up.set(tc.status, tc.ctype, tc.body)
			c := newCLI(t, jsonConfig(up.URL))
			r := c.mustRun(1, "poll")
			if !strings.Contains(r.stderr, "error: orders-db: ") || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("stderr does not name the source and cause %q:\n%s", tc.want, r.stderr)
			}
			if n := c.snapshots("orders-db"); n != 0 {
				t.Fatalf("a failed fetch stored %d snapshots", n)
			}
		})
	}
}

func TestConfigErrorsExit2(t *testing.T) {
	for _, tc := range []struct {
		name, config, want string
	}{
		{"UnknownKey", "[[source]]\nname = \"a\"\ntype = \"feed\"\nurl = \"https://example.com/f.xml\"\ncolour = \"red\"\n",
			`driftwatch.toml:5: source "a": unknown key "colour"`},
		{"BrokenTOML", "[[source]]\nname = \"a\ntype = \"feed\"\n", "driftwatch.toml:2: invalid TOML"},
		{"BadCron", "[[source]]\nname = \"a\"\ntype = \"feed\"\nurl = \"https://example.com/f.xml\"\nschedule = \"*/5 * * *\"\n",
			`driftwatch.toml:5: source "a": schedule "*/5 * * *"`},
		{"MissingEnv", "[[source]]\nname = \"a\"\ntype = \"github_releases\"\nrepo = \"auth0/auth0-spa-js\"\ntoken_env = \"GITHUB_TOKEN\"\n",
			`driftwatch.toml:5: source "a": environment variable GITHUB_TOKEN (token_env) is not set`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t, tc.config)
			for _, cmd := range [][]string{{"validate"}, {"poll"}} {
				r := c.mustRun(2, cmd...)
				if !strings.Contains(r.stderr, tc.want) {
					t.Errorf("%s: stderr = %q, want it to contain %q", cmd[0], r.stderr, tc.want)
				}
				if strings.Contains(r.stderr, "goroutine") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
					t.Errorf("%s: want one clear line, got:\n%s", cmd[0], r.stderr)
				}
			}
		})
	}
}

func TestUnknownSourceAndSnapshot(t *testing.T) {
	up := newUpstream(t, `{"a":1}`)
	c := newCLI(t, jsonConfig(up.URL))
	up.set(500, "text/plain", "down")
	c.mustRun(1, "poll") // creates the store, stores nothing
	c.mustRun(1, "history", "nope")
	c.mustRun(1, "show", "orders-db") // known, but no snapshot yet
	up.set(200, "application/json", `{"a":1}`)
	c.mustRun(0, "poll")
	c.mustRun(1, "show", "orders-db", "--snapshot", "99")
	c.mustRun(1, "diff", "orders-db", "--from", "99")
	c.mustRun(2, "poll", "--source", "nope")
	c.mustRun(2, "history")
	c.mustRun(2, "findings", "--state", "weird")
}
