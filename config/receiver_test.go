package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/config"
)

func init() {
	errorCases = append(errorCases, receiverErrorCases...)
}

// receiverErrorCases are bad [[receiver]] and [[route]] tables.
var receiverErrorCases = []errorCase{
	{
		name: "receiver key of another type",
		text: `[[receiver]]
name = "ops"
type = "webhook"
url_env = "HOOK"
channel = "#ops"
`,
		env:  map[string]string{"HOOK": "https://example.com/h"},
		want: []string{`dw.toml:5: receiver "ops": key "channel" does not apply to webhook receivers`},
	},
	{
		name: "duplicate receiver and unknown type",
		text: `[[receiver]]
name = "ops"
type = "webhook"
url_env = "HOOK"

[[receiver]]
name = "ops"
type = "pager"
`,
		env: map[string]string{"HOOK": "https://example.com/h"},
		want: []string{
			`dw.toml:7: receiver "ops": name already used by receiver #1`,
			`dw.toml:8: receiver "ops": unknown type "pager" (want one of email, msteams, slack, webhook)`,
		},
	},
	{
		name: "email without to, bad from, one of username and password",
		text: `[[receiver]]
name = "mail"
type = "email"
host = "smtp.example.com"
from = "not an address"
username_env = "U"
`,
		env: map[string]string{"U": "u"},
		want: []string{
			`dw.toml:1: receiver "mail": to is required (one or more addresses)`,
			`dw.toml:1: receiver "mail": set both username_env and password_env, or neither`,
			`dw.toml:5: receiver "mail": from "not an address": want an email address`,
		},
	},
	{
		name: "route to an unknown receiver, bad severity, category and source",
		text: `[[source]]
name = "a"
type = "feed"
url = "https://example.com/a.rss"

[[receiver]]
name = "ops"
type = "webhook"
url_env = "HOOK"

[[route]]
receivers = ["ops", "nobody"]
severity = "critical"
category = "bug"
source = ["a", "b"]
`,
		env: map[string]string{"HOOK": "https://example.com/h"},
		want: []string{
			`dw.toml:12: route #1: unknown receiver "nobody"`,
			`dw.toml:13: route #1: severity "critical": want info, warning or breaking`,
			`dw.toml:14: route #1: category "bug": want third-party, configuration, infrastructure or usage-growth`,
			`dw.toml:15: route #1: unknown source "b"`,
		},
	},
	{
		name: "notify.slack beside receivers",
		text: `[notify.slack]
webhook_url_env = "HOOK"

[[receiver]]
name = "ops"
type = "webhook"
url_env = "HOOK"
`,
		env:  map[string]string{"HOOK": "https://example.com/h"},
		want: []string{`dw.toml:1: notify.slack: use [[receiver]] tables or [notify.slack], not both: move it to a [[receiver]] with type = "slack"`},
	},
	{
		name: "unset receiver secret names its variable",
		text: `[[receiver]]
name = "teams"
type = "msteams"
webhook_url_env = "TEAMS_URL"
`,
		want: []string{`dw.toml:4: receiver "teams": environment variable TEAMS_URL (webhook_url_env) is not set`},
	},
}

func TestLegacySlackHint(t *testing.T) {
	cfg, err := config.Parse("dw.toml", []byte("[notify.slack]\ntoken_env = \"T\"\nchannel = \"#alerts\"\n"),
		func(k string) (string, bool) { return "xoxb-secret", k == "T" })
	if err != nil {
		t.Fatal(err)
	}
	rs := cfg.AllReceivers()
	if len(rs) != 1 || rs[0].Name != "slack" || !rs[0].CanEdit() || rs[0].Token.Reveal() != "xoxb-secret" {
		t.Fatalf("receivers %+v", rs)
	}
	if len(cfg.Hints) != 1 || !strings.Contains(cfg.Hints[0], `[[receiver]] name = "slack", type = "slack", token_env = "T", channel = "#alerts"`) {
		t.Fatalf("hints %q", cfg.Hints)
	}
	if strings.Contains(cfg.Hints[0], "xoxb-secret") {
		t.Fatal("hint shows the secret")
	}
}

// Every receiver's secrets reach the scrubber: tokens, signing secrets,
// passwords as values, webhook URLs as URLs.
func TestReceiverSecretsAreScrubbed(t *testing.T) {
	env := map[string]string{"TOK": "xoxb-receiver-token", "HOOK": "https://hooks.example.com/T/B/secretpath",
		"SIG": "signing-secret", "TEAMS": "https://teams.example.com/wf?sig=abc123", "U": "mailer", "P": "mail-password"}
	cfg, err := config.Parse("dw.toml", []byte(`
[[receiver]]
name = "a"
type = "slack"
token_env = "TOK"
channel = "#a"

[[receiver]]
name = "b"
type = "webhook"
url_env = "HOOK"
secret_env = "SIG"

[[receiver]]
name = "c"
type = "msteams"
webhook_url_env = "TEAMS"

[[receiver]]
name = "d"
type = "email"
host = "smtp.example.com"
from = "a@example.com"
to = ["b@example.com"]
username_env = "U"
password_env = "P"
`), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	values, urls := cfg.Secrets()
	all := strings.Join(append(values, urls...), " ")
	for _, k := range []string{"TOK", "HOOK", "SIG", "TEAMS", "P"} {
		if !strings.Contains(all, env[k]) {
			t.Errorf("the scrubber does not learn $%s", k)
		}
	}
}

// A receiver's secrets may come from files, and its keys from
// DRIFTWATCH_RECEIVER_<NAME>_<KEY>, like every other table's.
func TestReceiverSecretFilesAndEnvOverrides(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hook-url"), []byte("https://hooks.example.com/from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hook-secret"), []byte("signing-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "dw.toml")
	if err := os.WriteFile(path, []byte(`
[[receiver]]
name = "on-call"
type = "webhook"
url_file = "hook-url"
secret_file = "hook-secret"
min_severity = "warning"
`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DRIFTWATCH_RECEIVER_ON_CALL_MIN_SEVERITY": "breaking"}
	cfg, err := config.Load(path, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Receivers[0]
	if r.URL.Reveal() != "https://hooks.example.com/from-file" || r.Secret.Reveal() != "signing-from-file" || r.MissingSecret() {
		t.Errorf("secrets from files: %q %q", r.URL.Reveal(), r.Secret.Reveal())
	}
	if r.MinSeverity != "breaking" {
		t.Errorf("min_severity %q, want the variable's", r.MinSeverity)
	}
}
