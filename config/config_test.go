package config_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/feed"
	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/providers/httpjson"
)

// env is a LookupEnv over a fixed map, so tests never read the process's
// environment.
func env(vars map[string]string) config.LookupEnv {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// fullEnv sets every variable testdata/full.toml names.
var fullEnv = map[string]string{
	"SLACK_BOT_TOKEN":     "xoxb-test-token",
	"AUTH0_CLIENT_ID":     "client-id-123",
	"AUTH0_CLIENT_SECRET": "client-secret-456",
	"GITHUB_TOKEN":        "ghp_test",
	"ORDERS_DB_AUTH":      "Bearer orders",
	"ORDERS_DB_KEY":       "orders-key",
}

func ptr[T any](v T) *T { return &v }

func TestParseFull(t *testing.T) {
	const file = "testdata/full.toml"
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	got, err := config.Parse(file, text, env(fullEnv))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	want := &config.Config{
		File:  file,
		Dir:   dir,
		Store: config.Store{Path: "state/driftwatch.db"},
		Notify: config.Notify{Slack: &config.Slack{
			TokenEnv:     "SLACK_BOT_TOKEN",
			Channel:      "#platform-alerts",
			APIURL:       "https://slack.example.com/api/",
			MinSeverity:  "info",
			SendResolved: ptr(false),
			Token:        config.NewSecret("xoxb-test-token"),
		}},
		Digest: config.Digest{Schedule: "CRON_TZ=Europe/Berlin 0 9 * * MON", Channel: "#platform-digest"},
		Server: config.Server{Listen: "0.0.0.0:9100"},
		Sources: []config.Source{
			{
				Name: "auth0-prod", Type: "auth0", Schedule: "@every 1h",
				Ignore: []string{"/tenant/updated_at", "/clients/*/updated_at"},
				Settings: &auth0.Settings{
					Domain:          "acme.eu.auth0.com",
					ClientIDEnv:     "AUTH0_CLIENT_ID",
					ClientSecretEnv: "AUTH0_CLIENT_SECRET",
					BaseURL:         "http://127.0.0.1:8080",
					ClientID:        config.NewSecret("client-id-123"),
					ClientSecret:    config.NewSecret("client-secret-456"),
				},
				Line: 19,
			},
			{
				Name: "auth0-spa-js", Type: "github_releases", Schedule: "@every 6h",
				Settings: &github.Settings{
					Repo: "auth0/auth0-spa-js", Deployed: "v2.1.3", IncludePrereleases: true,
					TokenEnv: "GITHUB_TOKEN", APIURL: "https://github.example.com/api/v3/",
					Token: config.NewSecret("ghp_test"),
				},
				Line: 29,
			},
			{
				Name: "auth0-changelog", Type: "feed", Schedule: "@daily",
				Settings: &feed.Settings{URL: "https://example.com/changelog.rss"},
				Line:     39,
			},
			{
				Name: "orders-db", Type: "http_json", Schedule: "*/15 * * * *",
				Ignore: []string{"/lastUpdated"},
				Settings: &httpjson.Settings{
					URL:        "https://example.com/api/db/orders",
					HeadersEnv: map[string]string{"Authorization": "ORDERS_DB_AUTH", "X-Api-Key": "ORDERS_DB_KEY"},
					Headers:    map[string]config.Secret{"Authorization": config.NewSecret("Bearer orders"), "X-Api-Key": config.NewSecret("orders-key")},
					Thresholds: []config.Threshold{
						{Path: "/metrics/cpu_percent", Above: ptr(90.0), Severity: "breaking", Category: "infrastructure"},
						{Path: "/storage/free_gb", Below: ptr(2.5), Severity: "warning", Category: "usage-growth"},
					},
				},
				Line: 45,
			},
		},
		Expects: []config.Expect{
			{Source: "auth0-prod", Path: "/clients/Acme Web/callbacks", Contains: "https://app.acme.com/callback",
				Severity: "breaking", Note: "login redirect of the web app", Line: 64},
			{Source: "orders-db", Path: "/plan", Equals: "pro", Severity: "warning", Line: 70},
			{Source: "auth0-prod", Path: "/tenant/flags/enable_client_connections", Present: ptr(true), Severity: "info", Line: 76},
			{Source: "auth0-prod", Path: "/clients/Legacy App", Absent: ptr(true), Severity: "breaking", Line: 82},
			{Source: "auth0-spa-js", Path: "/latest", Semver: "<3.0.0", Severity: "breaking", Line: 87},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(config.Config{}, "LegacySlack", "Hints"), cmpopts.IgnoreUnexported(config.Config{})); diff != "" {
		t.Errorf("config mismatch (-want +got):\n%s", diff)
	}

	if got, want := got.StorePath(), filepath.Join(dir, "state", "driftwatch.db"); got != want {
		t.Errorf("StorePath() = %q, want %q", got, want)
	}
	kinds := make([]string, len(got.Expects))
	for i := range got.Expects {
		kinds[i] = got.Expects[i].Kind()
	}
	if diff := cmp.Diff([]string{"contains", "equals", "present", "absent", "semver"}, kinds); diff != "" {
		t.Errorf("Expect.Kind() (-want +got):\n%s", diff)
	}
	if s, ok := got.Source("orders-db"); !ok || s.Type != httpjson.Type.Name {
		t.Errorf(`Source("orders-db") = %v, %v`, s, ok)
	}
	if _, ok := got.Source("nope"); ok {
		t.Error(`Source("nope") found a source`)
	}
	if n := len(got.ExpectsFor("auth0-prod")); n != 3 {
		t.Errorf(`ExpectsFor("auth0-prod") has %d expectations, want 3`, n)
	}
}

func TestParseDefaults(t *testing.T) {
	const text = `
[notify.slack]
webhook_url_env = "SLACK_WEBHOOK_URL"

[[source]]
name = "orders-db"
type = "http_json"
url = "https://example.com/orders"

  [[source.threshold]]
  path = "/cpu"
  above = 90

[[expect]]
source = "orders-db"
path = "/plan/tier"
equals = 3
`
	dir := t.TempDir()
	file := filepath.Join(dir, "driftwatch.toml")
	got, err := config.Parse(file, []byte(text), env(map[string]string{"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/x"}))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := &config.Config{
		File: file,
		Dir:  dir,
		Notify: config.Notify{Slack: &config.Slack{
			WebhookURLEnv: "SLACK_WEBHOOK_URL",
			MinSeverity:   config.DefaultMinSeverity,
			WebhookURL:    config.NewSecret("https://hooks.slack.com/services/T/B/x"),
		}},
		Digest: config.Digest{Schedule: config.DefaultDigestSchedule},
		Server: config.Server{Listen: config.DefaultListen},
		Sources: []config.Source{{
			Name: "orders-db", Type: "http_json", Schedule: config.DefaultSchedule,
			Settings: &httpjson.Settings{
				URL:        "https://example.com/orders",
				Thresholds: []config.Threshold{{Path: "/cpu", Above: ptr(90.0), Severity: "warning", Category: "infrastructure"}},
			},
			Line: 5,
		}},
		Expects: []config.Expect{{Source: "orders-db", Path: "/plan/tier", Equals: int64(3), Severity: "breaking", Line: 14}},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(config.Config{}, "LegacySlack", "Hints"), cmpopts.IgnoreUnexported(config.Config{})); diff != "" {
		t.Errorf("config mismatch (-want +got):\n%s", diff)
	}
	// The defaults are the contract's.
	for name, pair := range map[string][2]string{
		"schedule":        {config.DefaultSchedule, "@every 1h"},
		"digest schedule": {config.DefaultDigestSchedule, "0 9 * * MON"},
		"listen":          {config.DefaultListen, "127.0.0.1:9464"},
		"min_severity":    {config.DefaultMinSeverity, "warning"},
		"store path":      {config.DefaultStorePath, "driftwatch.db"},
	} {
		if pair[0] != pair[1] {
			t.Errorf("default %s = %q, want %q", name, pair[0], pair[1])
		}
	}
	if got, want := got.StorePath(), filepath.Join(dir, "driftwatch.db"); got != want {
		t.Errorf("StorePath() = %q, want %q", got, want)
	}
}

func TestStorePath(t *testing.T) {
	abs := filepath.Join(t.TempDir(), "elsewhere", "dw.db")
	tests := []struct {
		name string
		cfg  config.Config
		want string
	}{
		{"relative to the config's folder", config.Config{Dir: "/etc/driftwatch", Store: config.Store{Path: "data/dw.db"}}, filepath.Join("/etc/driftwatch", "data", "dw.db")},
		{"default file name", config.Config{Dir: "/etc/driftwatch"}, filepath.Join("/etc/driftwatch", "driftwatch.db")},
		{"absolute path kept", config.Config{Dir: "/etc/driftwatch", Store: config.Store{Path: abs}}, abs},
		{"no folder known", config.Config{Store: config.Store{Path: "dw.db"}}, "dw.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cfg.StorePath(); got != tt.want {
				t.Errorf("StorePath() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "dw.toml")
	if err := os.WriteFile(file, []byte("[[source]]\nname = \"feed\"\ntype = \"feed\"\nurl = \"https://example.com/feed\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(file, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.File != file || cfg.Dir != dir || len(cfg.Sources) != 1 {
		t.Errorf("Load = File %q Dir %q %d sources; want %q, %q, 1", cfg.File, cfg.Dir, len(cfg.Sources), file, dir)
	}

	missing := filepath.Join(dir, "missing.toml")
	_, err = config.Load(missing, nil)
	if got, want := errString(err), missing+": config file not found (use -c FILE or $DRIFTWATCH_CONFIG)"; got != want {
		t.Errorf("Load(missing) error = %q, want %q", got, want)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// TestSchedules runs schedules through a source and the digest: the
// contract allows 5-field specs, descriptors and a CRON_TZ= prefix.
func TestSchedules(t *testing.T) {
	parse := func(spec string) error {
		text := "[digest]\nschedule = " + strconv.Quote(spec) + "\n\n[[source]]\nname = \"feed\"\ntype = \"feed\"\n" +
			"url = \"https://example.com/feed.rss\"\nschedule = " + strconv.Quote(spec) + "\n"
		_, err := config.Parse("dw.toml", []byte(text), nil)
		return err
	}
	for _, spec := range []string{
		"@every 1s", "@every 90m", "@daily", "@weekly", "@hourly", "0 9 * * MON", "*/15 * * * *",
		"CRON_TZ=America/New_York 30 8 * * 1-5", "TZ=Asia/Tokyo @daily", "CRON_TZ=UTC @every 6h", "  @every 1h  ",
	} {
		if err := parse(spec); err != nil {
			t.Errorf("schedule %q refused: %v", spec, err)
		}
	}
	for spec, msg := range map[string]string{
		"@every 500ms":       `schedule "@every 500ms": interval under one second`,
		"@every 0s":          `schedule "@every 0s": interval under one second`,
		"TZ=UTC @every -5m":  `schedule "TZ=UTC @every -5m": interval under one second`,
		"@fortnightly":       `schedule "@fortnightly": unrecognized descriptor: @fortnightly`,
		"0 9 * * MON *":      `schedule "0 9 * * MON *": expected exactly 5 fields, found 6: [0 9 * * MON *]`,
		"CRON_TZ=Nowhere/X ": `schedule "CRON_TZ=Nowhere/X": a time zone prefix needs a schedule after it`,
	} {
		want := "dw.toml:2: digest: " + msg + "\ndw.toml:8: source \"feed\": " + msg
		if err := parse(spec); errString(err) != want {
			t.Errorf("schedule %q: error\n%s\nwant\n%s", spec, errString(err), want)
		}
	}
}
