package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An explicit --server on a command that works only locally is a usage
// error naming the commands that take it; DRIFTWATCH_SERVER from the
// environment is only a warning, and the command runs.
func TestServerFlagRefusedByLocalOnlyCommands(t *testing.T) {
	up := newUpstream(t, `{"a":1}`)
	c := newCLI(t, `
[store]
path = "dw.db"

[[source]]
name = "orders-db"
type = "http_json"
url = "`+up.URL+`"
`)
	for _, args := range [][]string{{"poll"}, {"digest"}, {"validate"}, {"run"}, {"demo"}} {
		r := c.mustRun(2, append([]string{"--server", "http://127.0.0.1:1"}, args...)...)
		if !strings.Contains(r.stderr, "--server is for check, findings") || !strings.Contains(r.stderr, args[0]) {
			t.Errorf("%v with --server: %s", args, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(c.dir, "dw.db")); err == nil {
		t.Fatal("a command with --server wrote the local store")
	}
	c.env["DRIFTWATCH_SERVER"] = "http://127.0.0.1:1"
	r := c.mustRun(0, "poll")
	if !strings.Contains(r.stderr, "warning: DRIFTWATCH_SERVER is set, but poll works on this machine's config and store only") {
		t.Errorf("poll with DRIFTWATCH_SERVER set: no warning:\n%s", r.stderr)
	}
	delete(c.env, "DRIFTWATCH_SERVER") // history would ask the server
	if c.snapshots("orders-db") != 1 {
		t.Fatal("poll with DRIFTWATCH_SERVER set did not poll")
	}
}
