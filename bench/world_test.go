package bench_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/providers"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// t0 is a Monday: the fake clock of the tests that move time.
var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// world is the real pipeline as cmd wires it (config, providers, engine,
// store) in a temp folder, with a clock the test moves.
type world struct {
	tb   testing.TB
	dir  string
	cfg  *config.Config
	db   *store.DB
	raw  *sql.DB
	e    *watcher.Engine
	now  time.Time
	path string
}

type worldOptions struct {
	env     map[string]string
	timeout time.Duration // per HTTP request; default polite.Timeout
	clock   bool          // a fake clock starting at t0 (default: the real one)
}

// newWorld loads cfgText (a driftwatch.toml whose store path is relative)
// and wires the engine like `driftwatch poll`; Notifier is left nil.
func newWorld(tb testing.TB, cfgText string, opt worldOptions) *world {
	tb.Helper()
	dir := tb.TempDir()
	file := filepath.Join(dir, "driftwatch.toml")
	if err := os.WriteFile(file, []byte(cfgText), 0o600); err != nil {
		tb.Fatal(err)
	}
	cfg, err := config.Load(file, func(k string) (string, bool) { v, ok := opt.env[k]; return v, ok })
	if err != nil {
		tb.Fatalf("config: %v", err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, cfg.StorePath())
	if err != nil {
		tb.Fatal(err)
	}
	db.KeepSnapshots = cfg.Store.KeepSnapshots
	tb.Cleanup(func() { db.Close() })
	rts, err := providers.Build(cfg, providers.Deps{HTTP: polite.NewClient(nil, opt.timeout)})
	if err != nil {
		tb.Fatalf("providers: %v", err)
	}
	w := &world{tb: tb, dir: dir, cfg: cfg, db: db, path: cfg.StorePath(), now: t0}
	w.e = &watcher.Engine{Sources: rts, Store: db,
		Policy: watcher.NoticePolicy{MinSeverity: watcher.Warning, SendResolved: true}}
	if opt.clock {
		w.e.Now = func() time.Time { return w.now }
	}
	w.raw, err = sql.Open("sqlite", "file:"+w.path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { w.raw.Close() })
	return w
}

// poll runs one cycle and delivers, as `driftwatch poll` does.
func (w *world) poll(names ...string) *watcher.PollReport {
	w.tb.Helper()
	ctx := context.Background()
	rep, err := w.e.Poll(ctx, names...)
	if err != nil {
		w.tb.Fatalf("poll: %v", err)
	}
	w.e.Deliver(ctx)
	return rep
}

// count runs a counting query on the store file.
func (w *world) count(q string, args ...any) int {
	w.tb.Helper()
	var n int
	if err := w.raw.QueryRow(q, args...).Scan(&n); err != nil {
		w.tb.Fatalf("%s: %v", q, err)
	}
	return n
}

// integrity runs SQLite's own consistency check on the store file.
func (w *world) integrity() {
	w.tb.Helper()
	var res string
	if err := w.raw.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		w.tb.Fatalf("integrity_check = %q, %v", res, err)
	}
}

// outcomes tallies a report's outcomes.
func outcomes(rep *watcher.PollReport) map[watcher.Outcome]int {
	out := map[watcher.Outcome]int{}
	for _, s := range rep.Sources {
		out[s.Outcome]++
	}
	return out
}

// requests sums the HTTP requests the providers reported.
func requests(rep *watcher.PollReport) int {
	n := 0
	for _, s := range rep.Sources {
		n += s.Requests
	}
	return n
}

// fileSize is a file's size, 0 when it does not exist.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func kib(n int64) string { return fmt.Sprintf("%.1f KiB", float64(n)/1024) }

// openRaw opens a SQLite file without the store's pragmas.
func openRaw(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}
