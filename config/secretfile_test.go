package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/providers/httpjson"
)

func writeSecret(t *testing.T, dir, name, value string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(value), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSecretFiles: every *_env secret has a *_file twin; one trailing
// newline is stripped; relative paths are the config's; ${VAR} expands.
func TestSecretFiles(t *testing.T) {
	path := writeConfig(t, `
[notify.slack]
webhook_url_file = "${CREDENTIALS_DIRECTORY}/slack"

[[source]]
name = "auth0-prod"
type = "auth0"
domain = "acme.eu.auth0.com"
client_id_file = "secrets/id"
client_secret_file = "secrets/secret"

[[source]]
name = "sdk"
type = "github_releases"
repo = "auth0/auth0-spa-js"
token_file = "secrets/gh"

[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"
headers_env = { "X-Env" = "X_ENV" }
headers_file = { Authorization = "secrets/auth" }
`)
	dir := filepath.Dir(path)
	creds := t.TempDir()
	os.Mkdir(filepath.Join(dir, "secrets"), 0o700)
	writeSecret(t, creds, "slack", "https://hooks.slack.invalid/T/B/X\n")
	writeSecret(t, dir, "secrets/id", "client-id")
	writeSecret(t, dir, "secrets/secret", "s3cret\r\n")
	writeSecret(t, dir, "secrets/gh", "ghp_token\n\n")
	writeSecret(t, dir, "secrets/auth", "Bearer abc")
	cfg, err := config.Load(path, envOf(map[string]string{"CREDENTIALS_DIRECTORY": creds, "X_ENV": "from-env"}))
	if err != nil {
		t.Fatal(err)
	}
	as, _ := cfg.Source("auth0-prod")
	gs, _ := cfg.Source("sdk")
	ds, _ := cfg.Source("db")
	a, gh, db := as.Settings.(*auth0.Settings), gs.Settings.(*github.Settings), ds.Settings.(*httpjson.Settings)
	got := []string{cfg.Notify.Slack.WebhookURL.Reveal(), a.ClientID.Reveal(), a.ClientSecret.Reveal(), gh.Token.Reveal(),
		db.Headers["Authorization"].Reveal(), db.Headers["X-Env"].Reveal()}
	want := []string{"https://hooks.slack.invalid/T/B/X", "client-id", "s3cret", "ghp_token\n", "Bearer abc", "from-env"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("secrets = %q, want %q", got, want)
	}
	if a.ClientIDEnv != "" || cfg.Notify.Slack.WebhookURLEnv != "" || len(db.HeadersEnv) != 1 {
		t.Errorf("*_env fields changed: %q %q %v", a.ClientIDEnv, cfg.Notify.Slack.WebhookURLEnv, db.HeadersEnv)
	}
}

func TestSecretFileErrors(t *testing.T) {
	path := writeConfig(t, `
[notify.slack]
webhook_url_env = "HOOK"
webhook_url_file = "hook"

[[source]]
name = "auth0-prod"
type = "auth0"
domain = "acme.eu.auth0.com"
client_id_file = "missing"
client_secret_file = "empty"
`)
	writeSecret(t, filepath.Dir(path), "empty", "\n")
	_, err := config.Load(path, envOf(map[string]string{"HOOK": "https://hooks.slack.invalid/x"}))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		"notify.slack: set webhook_url_env or webhook_url_file, not both",
		"client_id_file: " + filepath.Join(filepath.Dir(path), "missing") + ": no such file or directory",
		"client_secret_file: " + filepath.Join(filepath.Dir(path), "empty") + " is empty",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	feed := writeConfig(t, "[[source]]\nname = \"feed\"\ntype = \"feed\"\nurl = \"https://example.com/rss\"\ntoken_file = \"x\"\n")
	if _, err := config.Load(feed, nil); err == nil || !strings.Contains(err.Error(), `key "token_file" is for github_releases or npm sources, not feed`) {
		t.Errorf("token_file on a feed: %v", err)
	}
	// Read-only commands and validate --no-env do not need the files.
	if _, err := config.LoadReadOnly(path, nil); err == nil || strings.Contains(err.Error(), "missing") || strings.Contains(err.Error(), "is empty") {
		t.Errorf("read-only load: %v", err)
	}
}

// TestMissingSourceSecrets: what check --refresh needs is the sources'
// secrets, not Slack's.
func TestMissingSourceSecrets(t *testing.T) {
	path := writeConfig(t, `
[notify.slack]
webhook_url_env = "SLACK_WEBHOOK_URL"

[[source]]
name = "auth0-prod"
type = "auth0"
domain = "acme.eu.auth0.com"
client_id_env = "AUTH0_CLIENT_ID"
client_secret_file = "secret"
`)
	cfg, err := config.LoadReadOnly(path, envOf(map[string]string{"AUTH0_CLIENT_ID": "id"}))
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.MissingSourceSecrets()
	if err == nil || !strings.Contains(err.Error(), "client_secret_file secret is missing or empty") || strings.Contains(err.Error(), "SLACK") {
		t.Errorf("MissingSourceSecrets = %v", err)
	}
	writeSecret(t, filepath.Dir(path), "secret", "s")
	cfg, err = config.LoadReadOnly(path, envOf(map[string]string{"AUTH0_CLIENT_ID": "id"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.MissingSourceSecrets(); err != nil {
		t.Errorf("all source secrets set, Slack's not: %v", err)
	}
}
