package config_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/providers/httpjson"
)

func envOf(m map[string]string) config.LookupEnv {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "driftwatch.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEnvName(t *testing.T) {
	for key, want := range map[string]string{
		"store.path":                   "DRIFTWATCH_STORE_PATH",
		"server.listen":                "DRIFTWATCH_SERVER_LISTEN",
		"notify.slack.webhook_url_env": "DRIFTWATCH_NOTIFY_SLACK_WEBHOOK_URL_ENV",
		"source.auth0-prod.schedule":   "DRIFTWATCH_SOURCE_AUTH0_PROD_SCHEDULE",
		"source.orders.db.url":         "DRIFTWATCH_SOURCE_ORDERS_DB_URL",
	} {
		if got := config.EnvName(key); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", key, got, want)
		}
	}
}

// TestEnvOverrides: every scalar key of every table, and a source's keys,
// are taken from DRIFTWATCH_* variables over the file.
func TestEnvOverrides(t *testing.T) {
	path := writeConfig(t, `
[store]
path = "file.db"

[server]
listen = "127.0.0.1:1"

[[source]]
name = "orders-db"
type = "http_json"
url = "https://file.example/db"
schedule = "@every 1h"

[[source]]
name = "sdk"
type = "github_releases"
repo = "auth0/auth0-spa-js"
`)
	cfg, err := config.Load(path, envOf(map[string]string{
		"DRIFTWATCH_STORE_PATH":                     "/var/lib/driftwatch/env.db",
		"DRIFTWATCH_STORE_KEEP_SNAPSHOTS":           "10",
		"DRIFTWATCH_SERVER_LISTEN":                  "0.0.0.0:9464",
		"DRIFTWATCH_DIGEST_SCHEDULE":                "@daily",
		"DRIFTWATCH_NOTIFY_SLACK_WEBHOOK_URL_ENV":   "HOOK",
		"DRIFTWATCH_NOTIFY_SLACK_SEND_RESOLVED":     "false",
		"DRIFTWATCH_NOTIFY_SLACK_MIN_SEVERITY":      "breaking",
		"HOOK":                                      "https://hooks.slack.invalid/T/B/X",
		"DRIFTWATCH_SOURCE_ORDERS_DB_URL":           "https://env.example/db",
		"DRIFTWATCH_SOURCE_ORDERS_DB_SCHEDULE":      "@every 5m",
		"DRIFTWATCH_SOURCE_SDK_DEPLOYED":            "2.1.3",
		"DRIFTWATCH_SOURCE_SDK_INCLUDE_PRERELEASES": "true",
		"DRIFTWATCH_SERVER_NOPE":                    "ignored: not a key",
		"DRIFTWATCH_SOURCE_ORDERS_DB_NAME":          "renamed", // names stay in the file
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.StorePath() != "/var/lib/driftwatch/env.db" || cfg.Store.KeepSnapshots != 10 || cfg.Server.Listen != "0.0.0.0:9464" ||
		cfg.Digest.Schedule != "@daily" {
		t.Errorf("tables = %+v %+v %+v", cfg.Store, cfg.Server, cfg.Digest)
	}
	s := cfg.Notify.Slack
	if s == nil || s.WebhookURL.Reveal() != "https://hooks.slack.invalid/T/B/X" || s.SendResolved == nil || *s.SendResolved || s.MinSeverity != "breaking" {
		t.Errorf("[notify.slack] created from the environment = %+v", s)
	}
	db, _ := cfg.Source("orders-db")
	sdk, _ := cfg.Source("sdk")
	if db == nil || db.Settings.(*httpjson.Settings).URL != "https://env.example/db" || db.Schedule != "@every 5m" || sdk == nil ||
		sdk.Settings.(*github.Settings).Deployed != "2.1.3" || !sdk.Settings.(*github.Settings).IncludePrereleases {
		t.Errorf("sources = %+v %+v", db, sdk)
	}
}

// TestEnvOverrideErrors: a value of the wrong type names the variable; an
// overridden value is validated like the file's.
func TestEnvOverrideErrors(t *testing.T) {
	path := writeConfig(t, "[[source]]\nname = \"db\"\ntype = \"http_json\"\nurl = \"https://example.com\"\n")
	_, err := config.Load(path, envOf(map[string]string{
		"DRIFTWATCH_STORE_KEEP_SNAPSHOTS":  "many",
		"DRIFTWATCH_SERVER_LISTEN":         "nowhere",
		"DRIFTWATCH_SOURCE_DB_HEADERS_ENV": "X",
	}))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{`DRIFTWATCH_STORE_KEEP_SNAPSHOTS="many" (overrides keep_snapshots): want an integer`,
		`listen "nowhere": want host:port`, "DRIFTWATCH_SOURCE_DB_HEADERS_ENV", "lists and tables are set in the file only"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Count(msg, "\n") != 2 {
		t.Errorf("want three one-line errors:\n%s", msg)
	}
}

// TestBadEnvOverrideNamesTheVariable: a receiver's or a source's value set
// by a variable that does not validate is reported naming the variable,
// not a line of the config file, which does not hold it.
func TestBadEnvOverrideNamesTheVariable(t *testing.T) {
	path := writeConfig(t, `[[source]]
name = "db"
type = "http_json"
url = "https://example.com"

[[receiver]]
name = "oncall"
type = "webhook"
url_env = "HOOK"
`)
	_, err := config.Load(path, envOf(map[string]string{
		"HOOK": "https://hooks.example.com/x",
		"DRIFTWATCH_RECEIVER_ONCALL_MIN_SEVERITY": "bogus",
		"DRIFTWATCH_SOURCE_DB_TIMEOUT":            "soon",
	}))
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	for _, want := range []string{
		path + `: DRIFTWATCH_RECEIVER_ONCALL_MIN_SEVERITY: receiver "oncall": min_severity "bogus": want info, warning or breaking`,
		path + `: DRIFTWATCH_SOURCE_DB_TIMEOUT: source "db": timeout "soon": want a positive duration`,
	} {
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, want) }) {
			t.Errorf("no line starts %q:\n%s", want, err)
		}
	}
	if slices.ContainsFunc(lines, regexp.MustCompile(`^`+regexp.QuoteMeta(path)+`:\d+:`).MatchString) {
		t.Errorf("a line of the file is blamed for the variables' values:\n%s", err)
	}
}
