package bench_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/store"
)

// Size of the large store `check` runs on.
const (
	largeSources   = 100
	largeSnapshots = 100_000 // 1,000 per source
	largeFindings  = 10_000
)

// buildBinary builds driftwatch into dir.
func buildBinary(tb testing.TB, dir string) string {
	tb.Helper()
	bin := filepath.Join(dir, "driftwatch")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/driftwatch/driftwatch/cmd/driftwatch").CombinedOutput()
	if err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// largeStore writes a config of 100 sources and fills its store with
// direct inserts: 1,000 snapshots per source (small documents: check never
// reads bodies), every source fetched an hour ago, and 10,000 findings of
// which 15% open, 5% acknowledged and 80% resolved, severities spread
// evenly. It returns the config file.
func largeStore(tb testing.TB, dir string) string {
	tb.Helper()
	var cfg strings.Builder
	cfg.WriteString("[store]\npath = \"dw.db\"\n")
	for i := range largeSources {
		fmt.Fprintf(&cfg, "\n[[source]]\nname = \"src-%03d\"\ntype = \"http_json\"\nurl = \"http://127.0.0.1:9/%d\"\n", i, i)
	}
	file := filepath.Join(dir, "driftwatch.toml")
	if err := os.WriteFile(file, []byte(cfg.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, "dw.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	db.Close()
	raw := openRaw(tb, path)
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	now := time.Now().UTC()
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	snap, err := tx.Prepare(`INSERT INTO snapshots (source, fetched_at, hash, changes, encoding, size, body)
		VALUES (?, ?, ?, ?, 'identity', ?, ?)`)
	if err != nil {
		tb.Fatal(err)
	}
	perSource := largeSnapshots / largeSources
	var last [largeSources]string
	for j := range perSource {
		for i := range largeSources {
			body := fmt.Sprintf(`{"metrics":{"cpu_percent":%d},"plan":"pro","v":%d}`, (i+j)%100, j)
			sum := sha256.Sum256([]byte(body))
			last[i] = hex.EncodeToString(sum[:])
			at := now.Add(-time.Duration(perSource-j) * time.Hour)
			if _, err := snap.Exec(fmt.Sprintf("src-%03d", i), ts(at), last[i], j%4, len(body), body); err != nil {
				tb.Fatal(err)
			}
		}
	}
	for i := range largeSources {
		at := ts(now.Add(-time.Hour))
		if _, err := tx.Exec(`INSERT INTO sources (name, type, last_attempt_at, last_success_at, last_hash) VALUES (?, 'http_json', ?, ?, ?)`,
			fmt.Sprintf("src-%03d", i), at, at, last[i]); err != nil {
			tb.Fatal(err)
		}
	}
	find, err := tx.Prepare(`INSERT INTO findings (fingerprint, source, rule, severity, category, path, subject, title,
		detail, extra, state, detected_at, resolved_at, acked_at, snapshot_id, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		tb.Fatal(err)
	}
	for k := range largeFindings {
		state, resolved, acked := "resolved", any(nil), any(nil)
		detected := now.Add(-time.Duration(largeFindings-k) * 5 * time.Minute)
		switch k % 20 {
		case 0, 1, 2:
			state = "open"
		case 3:
			state, acked = "acked", ts(detected.Add(time.Hour))
		default:
			resolved = ts(detected.Add(time.Hour))
		}
		url := fmt.Sprintf("https://app%d.example.com/callback", k)
		if _, err := find.Exec(fmt.Sprintf("fp-%d", k), fmt.Sprintf("src-%03d", k%largeSources), "auth0.url_removed", k%3+1,
			"configuration", "/clients/Acme Web/callbacks", url, "Callback URL "+url+` removed from client "Acme Web"`,
			"removed: "+url, `{"old":"`+url+`"}`, state, ts(detected), resolved, acked, k+1, ts(detected)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	var n int
	if err := raw.QueryRow("SELECT count(*) FROM snapshots").Scan(&n); err != nil || n != largeSnapshots {
		tb.Fatalf("%d snapshots, %v", n, err)
	}
	return file
}

// BenchmarkCheckLargeStore runs the real binary's `check` on a store of
// 100 sources, 100,000 snapshots and 10,000 findings, as a CI gate does:
// one process per check. "version" is the floor of starting the process,
// "validate" adds loading the config of 100 sources.
func BenchmarkCheckLargeStore(b *testing.B) {
	dir := b.TempDir()
	bin := buildBinary(b, dir)
	cfg := largeStore(b, dir)
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"version", []string{"version"}, 0},
		{"validate", []string{"validate"}, 0},
		{"check", []string{"check", "--max-age", "24h", "--format", "json"}, 1},
		{"check-fail-on-info", []string{"check", "--fail-on", "info", "--format", "json"}, 1},
		{"check-one-source", []string{"check", "--source", "src-042", "--max-age", "24h"}, 1},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var out []byte
			for b.Loop() {
				cmd := exec.Command(bin, append([]string{"-c", cfg}, tc.args...)...)
				var err error
				out, err = cmd.Output()
				if code := cmd.ProcessState.ExitCode(); code != tc.code {
					b.Fatalf("exit %d (%v), want %d\n%s", code, err, tc.code, out)
				}
			}
			if strings.Contains(strings.Join(tc.args, " "), "json") {
				var res struct {
					Findings []json.RawMessage `json:"findings"`
					Stale    []json.RawMessage `json:"stale"`
				}
				if err := json.Unmarshal(out, &res); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(res.Findings)), "failing-findings")
				b.ReportMetric(float64(len(res.Stale)), "stale")
			}
		})
	}
}
