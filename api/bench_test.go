package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/api"
	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// BenchmarkCheck answers the gate over a store of 2,000 open findings
// (1,000 failing at breaking, a silence muting 100 of them), from the
// store and over HTTP, as a CI runner with --server asks it.
func BenchmarkCheck(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "driftwatch.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	cfg, err := config.Parse("driftwatch.toml", []byte("[[source]]\nname = \"big\"\ntype = \"http_json\"\nurl = \"https://example.com/x\"\n"), nil)
	if err != nil {
		b.Fatal(err)
	}
	var fs []watcher.Finding
	for i := range 2000 {
		sev := watcher.Warning
		if i%2 == 0 {
			sev = watcher.Breaking
		}
		fs = append(fs, watcher.Finding{Source: "big", Rule: "threshold.above", Severity: sev, Category: watcher.Infrastructure,
			Path: fmt.Sprintf("/metrics/m%04d", i), Title: fmt.Sprintf("metric %d over its limit", i)})
	}
	if _, err := db.Commit(ctx, &watcher.Commit{Source: "big", Type: "http_json", At: t0, Judged: true, Findings: fs,
		Snapshot: &watcher.NewSnapshot{Hash: strings.Repeat("a", 64), Body: []byte(`{}`)}, Group: "g"}); err != nil {
		b.Fatal(err)
	}
	if _, err := db.AddSilence(ctx, watcher.Silence{Path: "/metrics/m00*", Comment: "c", Author: "a", CreatedAt: t0, EndsAt: t0.Add(24 * time.Hour)}); err != nil {
		b.Fatal(err)
	}
	local := api.NewLocal(db, cfg)
	local.Now = func() time.Time { return t0.Add(time.Hour) }
	mux := http.NewServeMux()
	api.NewServer(local, api.Tokens{Read: "r"}, nil).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client, err := api.NewClient(srv.URL, "r", srv.Client())
	if err != nil {
		b.Fatal(err)
	}
	for name, svc := range map[string]api.Service{"local": local, "http": client} {
		b.Run(name, func(b *testing.B) {
			var res *api.CheckResult
			for b.Loop() {
				if res, err = svc.Check(ctx, api.CheckQuery{FailOn: watcher.Breaking}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(res.Findings)), "failing")
			b.ReportMetric(float64(len(res.Silenced)), "silenced")
		})
	}
}
