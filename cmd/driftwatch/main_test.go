package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// result is what one in-process run of the CLI printed and returned.
type result struct {
	stdout, stderr string
	code           int
}

// cli runs the real cobra root in process, in the test's config folder.
type cli struct {
	t   *testing.T
	dir string
	env map[string]string
}

func newCLI(t *testing.T, config string) *cli {
	t.Helper()
	dir := t.TempDir()
	c := &cli{t: t, dir: dir, env: map[string]string{}}
	c.writeConfig(config)
	return c
}

func (c *cli) writeConfig(text string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, "driftwatch.toml"), []byte(text), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

func (c *cli) readConfig() string {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, "driftwatch.toml"))
	if err != nil {
		c.t.Fatal(err)
	}
	return string(b)
}

func (c *cli) run(args ...string) result {
	c.t.Helper()
	var out, errOut bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errOut, LookupEnv: func(k string) (string, bool) {
		v, ok := c.env[k]
		return v, ok
	}}
	full := append([]string{"-c", filepath.Join(c.dir, "driftwatch.toml")}, args...)
	code := Main(context.Background(), full, env)
	return result{out.String(), errOut.String(), code}
}

// mustRun runs a command and fails the test on an unexpected exit code.
func (c *cli) mustRun(code int, args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.code != code {
		c.t.Fatalf("driftwatch %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	return r
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return v
}

// upstream is a JSON endpoint whose answer a test changes between polls.
type upstream struct {
	*httptest.Server
	mu       sync.Mutex
	status   int
	ctype    string
	body     string
	requests int
}

func newUpstream(t *testing.T, body string) *upstream {
	u := &upstream{status: 200, ctype: "application/json", body: body}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		defer u.mu.Unlock()
		u.requests++
		w.Header().Set("Content-Type", u.ctype)
		w.WriteHeader(u.status)
		w.Write([]byte(u.body))
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) set(status int, ctype, body string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.status, u.ctype, u.body = status, ctype, body
}

type historyJSON struct {
	Source    string `json:"source"`
	Snapshots []struct {
		ID        int64  `json:"id"`
		FetchedAt string `json:"fetched_at"`
		Hash      string `json:"hash"`
		Changes   int    `json:"changes"`
	} `json:"snapshots"`
}

type findingJSON struct {
	ID         int64   `json:"id"`
	Source     string  `json:"source"`
	Rule       string  `json:"rule"`
	Severity   string  `json:"severity"`
	Category   string  `json:"category"`
	Path       string  `json:"path"`
	Title      string  `json:"title"`
	Detail     string  `json:"detail"`
	State      string  `json:"state"`
	DetectedAt string  `json:"detected_at"`
	ResolvedAt *string `json:"resolved_at"`
	AckedAt    *string `json:"acked_at"`
	AckNote    *string `json:"ack_note"`
	SnapshotID int64   `json:"snapshot_id"`
}

type findingsJSON struct {
	Findings []findingJSON `json:"findings"`
}

func (c *cli) snapshots(source string) int {
	c.t.Helper()
	r := c.mustRun(0, "history", source, "--format", "json")
	return len(decode[historyJSON](c.t, r.stdout).Snapshots)
}
