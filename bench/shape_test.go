package bench_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/driftwatch/driftwatch/bench"
	"github.com/driftwatch/driftwatch/notify/console"
	"github.com/driftwatch/driftwatch/watcher"
)

// TestHTTPJSONWrongShape: a JSON endpoint that answers a 200 with an
// error object instead of its document (an expired API key behind a
// gateway that answers 200) must not be taken for "the database is fine
// again". A JSON endpoint has no schema, so the error object is stored as
// the new document; what matters is that the open threshold finding on the
// metric the document no longer holds does not resolve, since nothing
// says the metric went down.
func TestHTTPJSONWrongShape(t *testing.T) {
	up := bench.NewConditional()
	defer up.Close()
	up.Set("/db", "application/json", []byte(`{"plan":"pro","metrics":{"cpu_percent":97}}`))
	w := newWorld(t, fmt.Sprintf(`[store]
path = "dw.db"

[[source]]
name = "orders-db"
type = "http_json"
url = "%s/db"

  [[source.threshold]]
  path = "/metrics/cpu_percent"
  above = 90
`, up.URL()), worldOptions{})
	w.e.Notifier = console.New(io.Discard)
	w.poll()
	if n := w.count("SELECT count(*) FROM findings WHERE state = 'open'"); n != 1 {
		t.Fatalf("%d open findings at 97%% CPU, want 1", n)
	}
	notices := w.count("SELECT count(*) FROM outbox")

	up.Set("/db", "application/json", bench.WrongShape.Body)
	rep := w.poll()
	t.Logf("wrong shape: outcome %s, %d changes, %d resolved", rep.Sources[0].Outcome, rep.Sources[0].Changes, rep.Sources[0].Resolved)
	up.Set("/db", "application/json", []byte(`{"plan":"pro","metrics":{"cpu_percent":97}}`))
	rep = w.poll()
	t.Logf("recovered: outcome %s, %d changes, %d opened", rep.Sources[0].Outcome, rep.Sources[0].Changes, rep.Sources[0].Opened)

	open := w.count("SELECT count(*) FROM findings WHERE state = 'open'")
	extra := w.count("SELECT count(*) FROM outbox") - notices
	// The threshold finding stays open over the blip: no false "resolved"
	// notice, no "reopened" one after it.
	if open != 1 || extra != 0 {
		t.Errorf("open findings %d, notices written over the blip %d (kinds: %v); want 1 and 0", open, extra, outboxKinds(w, notices))
	}
}

func outboxKinds(w *world, after int) []watcher.NoticeKind {
	rows, err := w.raw.Query("SELECT kind FROM outbox ORDER BY id LIMIT -1 OFFSET ?", after)
	if err != nil {
		w.tb.Fatal(err)
	}
	defer rows.Close()
	var out []watcher.NoticeKind
	for rows.Next() {
		var k string
		rows.Scan(&k)
		out = append(out, watcher.NoticeKind(k))
	}
	return out
}
