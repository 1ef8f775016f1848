package config_test

import (
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/config"
)

// validationErrorCases are configs that decode but do not validate.
var validationErrorCases = []errorCase{
	{
		name: "duplicate source name",
		text: `[[source]]
name = "changelog"
type = "feed"
url = "https://example.com/a.rss"

[[source]]
name = "changelog"
type = "feed"
url = "https://example.com/b.rss"
`,
		want: []string{`dw.toml:7: source "changelog": name already used by source #1`},
	},
	{
		name: "bad source name",
		text: `[[source]]
name = "Orders DB"
type = "http_json"
url = "https://example.com/db"
`,
		want: []string{`dw.toml:2: source "Orders DB": name must match [a-z0-9][a-z0-9._-]*`},
	},
	{
		name: "missing name and type",
		text: `[[source]]
url = "https://example.com/db"
`,
		want: []string{
			`dw.toml:1: source #1: name is required`,
			"dw.toml:1: source #1: type is required (one of " + strings.Join(config.Types(), ", ") + ")",
		},
	},
	{
		name: "unknown type",
		text: `[[source]]
name = "changelog"
type = "rss"
url = "https://example.com/feed.rss"
`,
		want: []string{`dw.toml:3: source "changelog": unknown type "rss" (want one of ` + strings.Join(config.Types(), ", ") + ")"},
	},
	{
		name: "bad cron spec",
		text: `[[source]]
name = "changelog"
type = "feed"
url = "https://example.com/feed.rss"
schedule = "0 25 * * *"
`,
		want: []string{`dw.toml:5: source "changelog": schedule "0 25 * * *": end of range (25) above maximum (23): 25`},
	},
	{
		name: "CRON_TZ with no schedule after it",
		text: `[[source]]
name = "changelog"
type = "feed"
url = "https://example.com/feed.rss"
schedule = "CRON_TZ=Europe/Berlin"
`,
		want: []string{`dw.toml:5: source "changelog": schedule "CRON_TZ=Europe/Berlin": a time zone prefix needs a schedule after it`},
	},
	{
		name: "TZ with no schedule in digest",
		text: `[digest]
schedule = "TZ=UTC"
`,
		want: []string{`dw.toml:2: digest: schedule "TZ=UTC": a time zone prefix needs a schedule after it`},
	},
	{
		name: "unknown time zone",
		text: `[digest]
schedule = "CRON_TZ=Mars/Olympus 0 9 * * MON"
`,
		want: []string{`dw.toml:2: digest: schedule "CRON_TZ=Mars/Olympus 0 9 * * MON": unknown time zone "Mars/Olympus"`},
	},
	{
		name: "negative interval",
		text: `[[source]]
name = "changelog"
type = "feed"
url = "https://example.com/feed.rss"
schedule = "@every -1h"
`,
		want: []string{`dw.toml:5: source "changelog": schedule "@every -1h": interval under one second`},
	},
	{
		name: "bad pointer in ignore",
		text: `[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"
ignore = ["/ok", "lastUpdated"]
`,
		want: []string{`dw.toml:5: source "db": ignore "lastUpdated" is not a JSON Pointer`},
	},
	{
		name: "bad pointer in redact",
		text: `[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"
redact = ["/auth/*/key", "password"]
`,
		want: []string{`dw.toml:5: source "db": redact "password" is not a JSON Pointer`},
	},
	{
		name: "redact on another type",
		text: `[[source]]
name = "changelog"
type = "feed"
url = "https://example.com/feed.rss"
redact = ["/x"]
`,
		want: []string{`dw.toml:5: source "changelog": key "redact" is for http_json sources, not feed`},
	},
	{
		name: "bad pointer in threshold",
		text: `[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"

  [[source.threshold]]
  path = "metrics.cpu"
  above = 90
`,
		want: []string{`dw.toml:7: source "db": threshold path "metrics.cpu" is not a JSON Pointer`},
	},
	{
		name: "bad escape in expect pointer",
		text: `[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"

[[expect]]
source = "db"
path = "/a~2b"
present = true
`,
		want: []string{`dw.toml:8: expect #1: path "/a~2b" is not a JSON Pointer`},
	},
	{
		name: "threshold with above and below",
		text: `[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"

  [[source.threshold]]
  path = "/cpu"
  above = 90
  below = 5
`,
		want: []string{`dw.toml:6: source "db": threshold /cpu needs exactly one of above or below`},
	},
	{
		name: "threshold with neither above nor below",
		text: `[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"

  [[source.threshold]]
  path = "/cpu"
`,
		want: []string{`dw.toml:6: source "db": threshold /cpu needs exactly one of above or below`},
	},
	{
		name: "newline in a threshold path stays escaped",
		text: `[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"

  [[source.threshold]]
  path = "/cpu\nload"
`,
		want: []string{`dw.toml:6: source "db": threshold /cpu\nload needs exactly one of above or below`},
	},
	{
		name: "bad threshold category and severity",
		text: `[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"

  [[source.threshold]]
  path = "/cpu"
  above = 90
  severity = "critical"
  category = "cost"
`,
		want: []string{
			`dw.toml:9: source "db": threshold severity "critical": want info, warning or breaking`,
			`dw.toml:10: source "db": threshold category "cost": want infrastructure or usage-growth`,
		},
	},
	{
		name: "expectation on unknown source",
		text: `[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"

[[expect]]
source = "orders"
path = "/plan"
present = true
`,
		want: []string{`dw.toml:7: expect #1: unknown source "orders"`},
	},
	{
		name: "expectation of no kind",
		text: `[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"

[[expect]]
source = "db"
path = "/plan"
`,
		want: []string{`dw.toml:6: expect #1: set exactly one of contains, equals, present, absent or semver`},
	},
	{
		name: "expectation of two kinds",
		text: `[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"

[[expect]]
source = "db"
path = "/plan"
present = true
equals = "pro"
`,
		want: []string{`dw.toml:6: expect #1: set exactly one of contains, equals, present, absent or semver`},
	},
	{
		name: "semver constraint that does not parse",
		text: `[[source]]
name = "sdk"
type = "github_releases"
repo = "auth0/auth0-spa-js"

[[expect]]
source = "sdk"
path = "/latest"
semver = "<three"
`,
		want: []string{`dw.toml:9: expect #1: semver constraint "<three": improper constraint: "<three"`},
	},
	{
		name: "present = false",
		text: `[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"

[[expect]]
source = "db"
path = "/plan"
present = false
`,
		want: []string{`dw.toml:9: expect #1: present = false: use absent = true`},
	},
	{
		name: "unset client secret variable",
		text: `[[source]]
name = "auth0-prod"
type = "auth0"
domain = "acme.eu.auth0.com"
client_id_env = "AUTH0_CLIENT_ID"
client_secret_env = "AUTH0_CLIENT_SECRET"
`,
		env:  map[string]string{"AUTH0_CLIENT_ID": "id"},
		want: []string{`dw.toml:6: source "auth0-prod": environment variable AUTH0_CLIENT_SECRET (client_secret_env) is not set`},
	},
	{
		name: "empty header variable",
		text: `[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"
headers_env = { Authorization = "DB_AUTH" }
`,
		env:  map[string]string{"DB_AUTH": ""},
		want: []string{`dw.toml:5: source "db": environment variable DB_AUTH (headers_env.Authorization) is not set`},
	},
	{
		name: "unset webhook variable",
		text: `[notify.slack]
webhook_url_env = "SLACK_WEBHOOK_URL"
`,
		want: []string{`dw.toml:2: notify.slack: environment variable SLACK_WEBHOOK_URL (webhook_url_env) is not set`},
	},
	{
		name: "slack with webhook and token",
		text: `[notify.slack]
webhook_url_env = "SLACK_WEBHOOK_URL"
token_env = "SLACK_BOT_TOKEN"
channel = "#alerts"
`,
		env:  map[string]string{"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/x", "SLACK_BOT_TOKEN": "xoxb-1"},
		want: []string{`dw.toml:3: notify.slack: set webhook_url_env or token_env, not both`},
	},
	{
		name: "slack with neither webhook nor token",
		text: `[notify.slack]
min_severity = "breaking"
`,
		want: []string{`dw.toml:1: notify.slack: set webhook_url_env or token_env`},
	},
	{
		name: "token without channel",
		text: `[notify.slack]
token_env = "SLACK_BOT_TOKEN"
`,
		env:  map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"},
		want: []string{`dw.toml:2: notify.slack: channel is required with token_env`},
	},
	{
		name: "bad min_severity, listen and digest channel",
		text: `[notify.slack]
webhook_url_env = "SLACK_WEBHOOK_URL"
min_severity = "critical"

[digest]
channel = "#digest"

[server]
listen = "9464"
`,
		env: map[string]string{"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/x"},
		want: []string{
			`dw.toml:3: notify.slack: min_severity "critical": want info, warning or breaking`,
			`dw.toml:6: digest: channel needs [notify.slack] with token_env (bot mode); a webhook posts to its own channel`,
			`dw.toml:9: server: listen "9464": want host:port`,
		},
	},
	{
		name: "several errors sorted by line",
		text: `[[expect]]
source = "nowhere"
path = "/x"
present = true

[[source]]
name = "sdk"
type = "github_releases"
repo = "auth0/auth0-spa-js"
deployed = "two"
schedule = "@hourly"

[[source]]
name = "changelog"
type = "feed"
url = "ftp://example.com/feed.rss"
schedule = "every hour"

[notify.slack]
token_env = "SLACK_BOT_TOKEN"
channel = "#alerts"
`,
		want: []string{
			`dw.toml:2: expect #1: unknown source "nowhere"`,
			`dw.toml:10: source "sdk": deployed "two" is not a semantic version`,
			`dw.toml:16: source "changelog": url "ftp://example.com/feed.rss": want an http(s) URL`,
			`dw.toml:17: source "changelog": schedule "every hour": expected exactly 5 fields, found 2: [every hour]`,
			`dw.toml:20: notify.slack: environment variable SLACK_BOT_TOKEN (token_env) is not set`,
		},
	},
}

func TestParseErrorsNeverHoldSecrets(t *testing.T) {
	// A config with several problems and every secret set: the message
	// names variables, never their values.
	const text = `[notify.slack]
webhook_url_env = "SLACK_WEBHOOK_URL"
token_env = "SLACK_BOT_TOKEN"

[[source]]
name = "auth0-prod"
type = "auth0"
domain = "https://acme.eu.auth0.com"
client_id_env = "AUTH0_CLIENT_ID"
client_secret_env = "AUTH0_CLIENT_SECRET"
schedule = "CRON_TZ=Nowhere/City @daily"
`
	secrets := map[string]string{
		"SLACK_WEBHOOK_URL":   "https://hooks.slack.com/services/T0/B0/hooksecret",
		"SLACK_BOT_TOKEN":     "xoxb-botsecret",
		"AUTH0_CLIENT_ID":     "clientidsecret",
		"AUTH0_CLIENT_SECRET": "clientsecretvalue",
	}
	_, err := config.Parse("dw.toml", []byte(text), env(secrets))
	if err == nil {
		t.Fatal("Parse succeeded; want errors")
	}
	for name, v := range secrets {
		if strings.Contains(err.Error(), v) {
			t.Errorf("error reveals %s:\n%v", name, err)
		}
	}
}
