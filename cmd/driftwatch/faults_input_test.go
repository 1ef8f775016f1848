package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadingCommandsNeverCreateAStore(t *testing.T) {
	up := newUpstream(t, `{"a":1}`)
	c := newCLI(t, strings.Replace(jsonConfig(up.URL), `path = "state/dw.db"`, `path = "state/typo.db"`, 1))
	store := filepath.Join(c.dir, "state", "typo.db")
	for _, args := range [][]string{
		{"check"}, {"check", "--max-age", "24h"}, {"findings"}, {"findings", "--state", "all"},
		{"history", "orders-db"}, {"diff", "orders-db"}, {"show", "orders-db"}, {"digest"}, {"ack", "1"},
	} {
		r := c.mustRun(2, args...)
		if !strings.Contains(r.stderr, store) || !strings.Contains(r.stderr, "does not exist") {
			t.Errorf("%s: stderr %q does not name the missing store", args[0], r.stderr)
		}
		if r.stdout != "" {
			t.Errorf("%s: printed a verdict without a store: %q", args[0], r.stdout)
		}
	}
	if _, err := os.Stat(filepath.Dir(store)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a reading command created %s: %v", filepath.Dir(store), err)
	}
	// poll creates it; then the readers work.
	c.mustRun(0, "poll")
	c.mustRun(0, "check")
}

func TestCheckWithDevNullConfigCreatesNothingUnderDev(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"-c", os.DevNull, "check"}, Env{Stdout: &out, Stderr: &errOut})
	if code != exitUsage || !strings.Contains(errOut.String(), "does not exist") {
		t.Errorf("check -c /dev/null: exit %d, stderr %q; want 2 naming the missing store", code, errOut.String())
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(os.DevNull), "driftwatch.db")); err == nil {
		t.Errorf("a database was created beside %s", os.DevNull)
	}
}

// freeze makes a file unwritable, even for root (immutable), until cleanup.
func freeze(t *testing.T, path string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(path, 0o444); err != nil {
			t.Fatal(err)
		}
		return
	}
	if out, err := exec.Command("chattr", "+i", path).CombinedOutput(); err != nil {
		t.Skipf("cannot make a file read-only as root here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", path).Run() })
}

func TestStoreErrorsExitTwoNotSourcesFailed(t *testing.T) {
	t.Run("read-only store file", func(t *testing.T) {
		up := newUpstream(t, `{"a":1}`)
		c := newCLI(t, jsonConfig(up.URL))
		c.mustRun(0, "poll")
		up.set(200, "application/json", `{"a":2}`)
		freeze(t, filepath.Join(c.dir, "state", "dw.db"))
		r := c.mustRun(2, "poll")
		if strings.Contains(r.stderr, "sources failed") || !strings.Contains(r.stderr, "read-only") {
			t.Errorf("stderr = %q, want a store error in words", r.stderr)
		}
		// Reading still works.
		c.mustRun(0, "history", "orders-db")
	})
	t.Run("newer schema", func(t *testing.T) {
		up := newUpstream(t, `{"a":1}`)
		c := newCLI(t, jsonConfig(up.URL))
		c.mustRun(0, "poll")
		db := storeDBAt(t, filepath.Join(c.dir, "state", "dw.db"))
		if _, err := db.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 'x')"); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"poll"}, {"check"}, {"findings"}, {"ack", "1"}} {
			r := c.mustRun(2, args...)
			if !strings.Contains(r.stderr, "written by a newer driftwatch (schema version 9999") {
				t.Errorf("%s: stderr = %q", args[0], r.stderr)
			}
		}
	})
}

func TestSnapshotFlagsRefuseZeroAndNegativeIDs(t *testing.T) {
	up := newUpstream(t, `{"a":1}`)
	c := newCLI(t, jsonConfig(up.URL))
	c.mustRun(0, "poll")
	for _, args := range [][]string{
		{"show", "orders-db", "--snapshot", "0"}, {"show", "orders-db", "--snapshot", "-1"},
		{"diff", "orders-db", "--from", "-5"}, {"diff", "orders-db", "--to", "0"},
	} {
		r := c.mustRun(2, args...)
		if !strings.Contains(r.stderr, "want a snapshot ID") || r.stdout != "" {
			t.Errorf("%v: stdout %q stderr %q", args, r.stdout, r.stderr)
		}
	}
	c.mustRun(0, "show", "orders-db")
	c.mustRun(0, "show", "orders-db", "--snapshot", "1")
}

func TestFindingsOfAnUnknownSourceExitsOne(t *testing.T) {
	up := newUpstream(t, `{"a":1}`)
	c := newCLI(t, jsonConfig(up.URL))
	c.mustRun(0, "poll")
	r := c.mustRun(1, "findings", "--source", "nope")
	if !strings.Contains(r.stderr, `unknown source "nope"`) {
		t.Errorf("stderr = %q", r.stderr)
	}
	c.mustRun(0, "findings", "--source", "orders-db")
}

func TestSinceAndMaxAgeAcceptTheSameSpans(t *testing.T) {
	up := newUpstream(t, `{"a":1}`)
	c := newCLI(t, jsonConfig(up.URL))
	c.mustRun(0, "poll")
	for _, span := range []string{"7d", "36h", "1d12h", "90m", "36500d"} {
		c.mustRun(0, "digest", "--since", span)
		c.mustRun(0, "check", "--max-age", span)
	}
	for _, span := range []string{"0", "-5d", "-1h", "7x", "1.5d", "36501d", "9999999999999d", ""} {
		for _, args := range [][]string{{"digest", "--since", span}, {"check", "--max-age", span}} {
			if r := c.mustRun(2, args...); !strings.Contains(r.stderr, "want a positive duration") {
				t.Errorf("%v: stderr = %q", args, r.stderr)
			}
		}
	}
}

// failingWriter fails every write, as a full disk does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

func TestFailedWriteToStdoutExitsTwo(t *testing.T) {
	up := newUpstream(t, `{"a":1}`)
	c := newCLI(t, jsonConfig(up.URL))
	c.mustRun(0, "poll")
	var errOut bytes.Buffer
	code := Main(context.Background(), []string{"-c", filepath.Join(c.dir, "driftwatch.toml"), "check"},
		Env{Stdout: failingWriter{}, Stderr: &errOut})
	if code != exitUsage || !strings.Contains(errOut.String(), "write standard output") {
		t.Errorf("check into a failing stdout: exit %d, stderr %q", code, errOut.String())
	}

	// The built binary: a full device, and a pipe nobody reads.
	bin := binary(t)
	cfg := filepath.Join(c.dir, "driftwatch.toml")
	if full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0); err == nil {
		cmd := exec.Command(bin, "-c", cfg, "history", "orders-db")
		cmd.Stdout = full
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		full.Close()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitUsage {
			t.Errorf("history > /dev/full: %v, stderr %q; want exit 2", err, stderr.String())
		}
	}
	rd, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	rd.Close() // nobody reads
	cmd := exec.Command(bin, "-c", cfg, "findings", "--state", "all")
	cmd.Stdout = wr
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	wr.Close()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitUsage || !strings.Contains(stderr.String(), "broken pipe") {
		t.Errorf("findings into a closed pipe: %v, stderr %q; want exit 2 saying so", err, stderr.String())
	}
}

// hangingUpstream answers nothing until the request is abandoned.
func hangingUpstream(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
	return srv.URL
}

func TestSourceTimeoutBoundsAWholePoll(t *testing.T) {
	c := newCLI(t, jsonConfig(hangingUpstream(t))+`timeout = "100ms"
`)
	r := c.mustRun(1, "poll")
	if !strings.Contains(r.stderr, "the fetch took longer than the source's timeout of 100ms") {
		t.Errorf("stderr = %q", r.stderr)
	}
	h := decode[historyJSON](t, c.mustRun(0, "history", "orders-db", "--format", "json").stdout)
	if len(h.Snapshots) != 0 {
		t.Errorf("a timed-out poll stored %d snapshots", len(h.Snapshots))
	}
}

func TestCheckRefreshHasADeadline(t *testing.T) {
	c := newCLI(t, jsonConfig(hangingUpstream(t)))
	r := c.mustRun(1, "check", "--refresh", "--timeout", "100ms", "--max-age", "1h")
	if !strings.Contains(r.stderr, "check --refresh took longer than --timeout 100ms") {
		t.Errorf("stderr = %q", r.stderr)
	}
	if !strings.Contains(r.stdout, "stale") {
		t.Errorf("stdout = %q, want the source stale", r.stdout)
	}
	c.mustRun(2, "check", "--refresh", "--timeout", "0s")
}

func TestRemovedSourceStopsFailingCheckAndResolvesWithTheReason(t *testing.T) {
	hot := newUpstream(t, `{"cpu": 99}`)
	calm := newUpstream(t, `{"cpu": 10}`)
	two := fmt.Sprintf(`
[store]
path = "dw.db"

[[source]]
name = "calm"
type = "http_json"
url = "%s"

[[source]]
name = "hot"
type = "http_json"
url = "%s"
  [[source.threshold]]
  path = "/cpu"
  above = 90
  severity = "breaking"
`, calm.URL, hot.URL)
	c := newCLI(t, two)
	c.mustRun(0, "poll")
	c.mustRun(1, "check")
	// hot leaves the configuration.
	c.writeConfig(two[:strings.Index(two, "[[source]]\nname = \"hot\"")])
	c.mustRun(0, "check") // its open finding no longer fails the gate
	c.mustRun(0, "poll")  // and is resolved, with the reason, kept
	fs := decode[struct {
		Findings []struct {
			Source, State  string
			ResolvedReason string `json:"resolved_reason"`
		} `json:"findings"`
	}](t, c.mustRun(0, "findings", "--state", "all", "--format", "json").stdout).Findings
	if len(fs) != 1 || fs[0].Source != "hot" || fs[0].State != "resolved" || fs[0].ResolvedReason != "source removed from the configuration" {
		t.Errorf("findings = %+v", fs)
	}
	c.mustRun(0, "history", "hot") // the history stays
}

// storeDBAt opens a store file directly, without the store's code.
func storeDBAt(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestFullDiskIsAStoreErrorInWords runs poll under a file size limit (as
// a full disk behaves: a write fails midway): exit 2, SQLite's bare code
// explained, nothing partial stored.
func TestFullDiskIsAStoreErrorInWords(t *testing.T) {
	bin := binary(t)
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to set a file size limit")
	}
	big := make(map[string]string, 20000)
	for i := range 20000 {
		big[fmt.Sprintf("k%05d", i)] = fmt.Sprintf("%064x", uint64(i)*0x9E3779B97F4A7C15) // incompressible enough
	}
	body, _ := json.Marshal(big)
	up := newUpstream(t, string(body))
	c := newCLI(t, jsonConfig(up.URL))
	cmd := exec.Command("sh", "-c", `ulimit -f 300 && exec "$0" "$@"`, bin, "-c", filepath.Join(c.dir, "driftwatch.toml"), "poll")
	cmd.Dir = c.dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitUsage {
		t.Fatalf("poll on a full disk: %v, stderr %q; want exit 2", err, stderr.String())
	}
	if strings.Contains(stderr.String(), "sources failed") || !strings.Contains(stderr.String(), "disk") {
		t.Errorf("stderr = %q, want the store error in words", stderr.String())
	}
	h := decode[historyJSON](t, c.mustRun(0, "history", "orders-db", "--format", "json").stdout)
	if len(h.Snapshots) != 0 {
		t.Errorf("%d snapshots stored by the failed poll", len(h.Snapshots))
	}
}
