package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

// keys lists an object's keys in order, duplicates included (json.Unmarshal
// would keep the last one silently).
func keys(t *testing.T, line string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", line)
	}
	var out []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		out = append(out, tok.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
	}
	return out
}

// TestJSONLogs: every provider's log lines carry "source" once, and
// durations are seconds, not nanoseconds.
func TestJSONLogs(t *testing.T) {
	feed := providertest.NewFeed(providertest.RSS, "Changelog", providertest.Entry{ID: "1", Title: "Hello", Link: "https://example.com/1",
		Published: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	defer feed.Close()
	gh := providertest.NewGitHub("auth0/auth0-spa-js", releases(3)...)
	defer gh.Close()
	sim := providertest.NewAuth0(providertest.Auth0Options{})
	defer sim.Close()
	up := newUpstream(t, `{"ok":true}`)
	c := newCLI(t, `
[[source]]
name = "changelog"
type = "feed"
url = "`+feed.URL()+`"

[[source]]
name = "sdk"
type = "github_releases"
repo = "auth0/auth0-spa-js"
deployed = "1.0.0"
api_url = "`+gh.URL()+`"

[[source]]
name = "tenant"
type = "auth0"
domain = "`+sim.Domain()+`"
base_url = "`+sim.URL()+`"
client_id_env = "ID"
client_secret_env = "SECRET"

[[source]]
name = "orders-db"
type = "http_json"
url = "`+up.URL+`"
`)
	c.env["ID"], c.env["SECRET"] = sim.ClientID(), sim.ClientSecret()
	r := c.run("poll", "--no-notify", "--log-format", "json", "-v")
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	polled := map[string]bool{}
	for _, line := range lines {
		ks := keys(t, line)
		seen := map[string]bool{}
		for _, k := range ks {
			if seen[k] {
				t.Errorf("duplicate key %q: %s", k, line)
			}
			seen[k] = true
		}
		var rec map[string]any
		json.Unmarshal([]byte(line), &rec)
		if d, ok := rec["duration"]; ok {
			if s, ok := d.(float64); !ok || s >= 60 {
				t.Errorf("duration %v is not seconds: %s", d, line)
			}
		}
		if rec["msg"] == "poll" {
			polled[rec["source"].(string)] = true
		}
	}
	if len(polled) != 4 {
		t.Errorf("poll lines for %v, want all four sources\n%s", polled, r.stderr)
	}
}
