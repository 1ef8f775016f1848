package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/config"
)

// inputCases are settings that decode but would make every poll fail or
// never alarm; each must be one file:line error.
var inputCases = []errorCase{
	{
		name: "header value with a line break",
		text: `[[source]]
name = "orders-db"
type = "http_json"
url = "https://example.com/db"
headers_env = { Authorization = "ORDERS_AUTH" }
`,
		env:  map[string]string{"ORDERS_AUTH": "Bearer abc\r\nX-Injected: 1"},
		want: []string{`dw.toml:5: source "orders-db": $ORDERS_AUTH (header Authorization) holds a line break or control character; an HTTP header value cannot`},
	},
	{
		name: "header name with a space",
		text: `[[source]]
name = "orders-db"
type = "http_json"
url = "https://example.com/db"
headers_env = { "X Api Key" = "ORDERS_KEY" }
`,
		env:  map[string]string{"ORDERS_KEY": "k"},
		want: []string{"dw.toml:5: source \"orders-db\": header name \"X Api Key\" is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~, no spaces)"},
	},
	{
		name: "webhook URL that is not http",
		text: `[notify.slack]
webhook_url_env = "SLACK_WEBHOOK_URL"
`,
		env:  map[string]string{"SLACK_WEBHOOK_URL": "hooks.slack.com/services/T0/B0/xyz"},
		want: []string{`dw.toml:2: notify.slack: $SLACK_WEBHOOK_URL does not hold an http(s) URL (want https://hooks.slack.com/services/...)`},
	},
	{
		name: "listen port above 65535",
		text: `[server]
listen = "127.0.0.1:70000"
`,
		want: []string{`dw.toml:2: server: listen "127.0.0.1:70000": the port must be a number up to 65535`},
	},
	{
		name: "URL port above 65535",
		text: `[[source]]
name = "changelog"
type = "feed"
url = "https://example.com:99999/feed.rss"
`,
		want: []string{`dw.toml:4: source "changelog": url "https://example.com:99999/feed.rss": the port must be a number up to 65535`},
	},
	{
		name: "schedule that never fires",
		text: `[[source]]
name = "changelog"
type = "feed"
url = "https://example.com/feed.rss"
schedule = "0 0 30 2 *"
`,
		want: []string{`dw.toml:5: source "changelog": schedule "0 0 30 2 *" never fires (no such date within five years)`},
	},
	{
		name: "digest schedule that never fires",
		text: `[digest]
schedule = "0 9 31 4 *"
`,
		want: []string{`dw.toml:2: digest: schedule "0 9 31 4 *" never fires (no such date within five years)`},
	},
	{
		name: "nan threshold",
		text: `[[source]]
name = "orders-db"
type = "http_json"
url = "https://example.com/db"
  [[source.threshold]]
  path = "/cpu"
  above = nan
`,
		want: []string{`dw.toml:7: source "orders-db": threshold /cpu: above = NaN never compares as a limit; want a finite number`},
	},
	{
		name: "infinite threshold",
		text: `[[source]]
name = "orders-db"
type = "http_json"
url = "https://example.com/db"
  [[source.threshold]]
  path = "/free"
  below = -inf
`,
		want: []string{`dw.toml:7: source "orders-db": threshold /free: below = -Inf never compares as a limit; want a finite number`},
	},
	{
		name: "timeout that is not a duration",
		text: `[[source]]
name = "changelog"
type = "feed"
url = "https://example.com/feed.rss"
timeout = "soon"
`,
		want: []string{`dw.toml:5: source "changelog": timeout "soon": want a positive duration such as 90s or 5m`},
	},
}

func TestValidateRejectsSettingsThatNeverWork(t *testing.T) {
	for _, tt := range inputCases {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse("dw.toml", []byte(tt.text), env(tt.env))
			if err == nil {
				t.Fatalf("Parse succeeded with %+v; want:\n%s", cfg, strings.Join(tt.want, "\n"))
			}
			if got, want := err.Error(), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("error:\n%s\nwant:\n%s", got, want)
			}
			for _, v := range tt.env {
				if strings.Contains(err.Error(), v) {
					t.Errorf("the error shows the secret value %q", v)
				}
			}
		})
	}
}

func TestSourceTimeoutDefaultsAndParses(t *testing.T) {
	cfg, err := config.Parse("dw.toml", []byte(`[[source]]
name = "a"
type = "feed"
url = "https://example.com/a.rss"

[[source]]
name = "b"
type = "feed"
url = "https://example.com/b.rss"
timeout = "90s"
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Sources[0].FetchTimeout(); got != config.DefaultTimeout {
		t.Errorf("default timeout = %s, want %s", got, config.DefaultTimeout)
	}
	if got := cfg.Sources[1].FetchTimeout().String(); got != "1m30s" {
		t.Errorf("timeout = %s, want 1m30s", got)
	}
}

func TestByteOrderMarkIsAcceptedAndLinesStayRight(t *testing.T) {
	text := "\ufeff[store]\npathh = \"x.db\"\n"
	_, err := config.Parse("dw.toml", []byte(text), nil)
	if err == nil || err.Error() != `dw.toml:2: unknown key "pathh" in [store]` {
		t.Errorf("error = %v, want line 2 named", err)
	}
	cfg, err := config.Parse("dw.toml", []byte("\ufeff[store]\npath = \"x.db\"\n"), nil)
	if err != nil || cfg.Store.Path != "x.db" {
		t.Errorf("config with a BOM = %+v, %v", cfg, err)
	}
	// UTF-16 (what some editors save as "Unicode") is named as such.
	_, err = config.Parse("dw.toml", []byte("\xff\xfe[\x00s\x00"), nil)
	if err == nil || !strings.Contains(err.Error(), "not UTF-8") {
		t.Errorf("UTF-16 config: %v", err)
	}
}

func TestConfigFileOverTenMiBIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.toml")
	// Valid TOML all the way: only its size is wrong.
	line := "# " + strings.Repeat("x", 1021) + "\n"
	if err := os.WriteFile(path, []byte(strings.Repeat(line, (config.MaxSize/len(line))+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := config.Load(path, nil)
	if err == nil || !strings.Contains(err.Error(), "larger than 10 MiB") {
		t.Errorf("Load = %v, want the size refused", err)
	}
	// A device that never ends is refused the same way, without reading it
	// whole.
	if _, err := os.Stat("/dev/zero"); err == nil {
		_, err := config.Load("/dev/zero", nil)
		if err == nil || !strings.Contains(err.Error(), "larger than 10 MiB") {
			t.Errorf("Load(/dev/zero) = %v", err)
		}
	}
}

func TestConfigFromADeviceAnchorsPathsAtTheWorkingDirectory(t *testing.T) {
	if _, err := os.Stat(os.DevNull); err != nil {
		t.Skip("no", os.DevNull)
	}
	cfg, err := config.Load(os.DevNull, nil)
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if got := cfg.StorePath(); got != filepath.Join(wd, config.DefaultStorePath) {
		t.Errorf("store path from %s = %s, want it in the working directory, not beside the device", os.DevNull, got)
	}
}
