package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/config"
)

// errorCase is an invalid config with the exact message it must produce:
// one "file:line: message" line per problem, sorted by line. The cases also
// seed FuzzParse.
type errorCase struct {
	name string
	text string
	env  map[string]string
	want []string
}

// errorCases are all the cases: the shape errors below (TOML syntax,
// unknown keys, wrong types) and the validation errors of validate_test.go.
var errorCases = append(append([]errorCase{}, shapeErrorCases...), validationErrorCases...)

// shapeErrorCases are configs the decoder rejects before validation.
var shapeErrorCases = []errorCase{
	{
		name: "unknown top-level key",
		text: `title = "prod"
[store]
path = "dw.db"
`,
		want: []string{`dw.toml:1: unknown key "title" at the top level`},
	},
	{
		name: "unknown key in store",
		text: `[store]
path = "dw.db"
size = 5
`,
		want: []string{`dw.toml:3: unknown key "size" in [store]`},
	},
	{
		name: "unknown key in notify",
		text: `[notify]
email = "ops@example.com"
`,
		want: []string{`dw.toml:2: unknown key "email" in [notify]`},
	},
	{
		name: "secret written into notify.slack",
		text: `[notify.slack]
webhook_url_env = "SLACK_WEBHOOK_URL"
webhook_url = "https://hooks.slack.com/services/T0/B0/xyz"
`,
		want: []string{`dw.toml:3: unknown key "webhook_url" in [notify.slack]`},
	},
	{
		name: "unknown key in digest",
		text: `[digest]
schedule = "@weekly"
weekday = "MON"
`,
		want: []string{`dw.toml:3: unknown key "weekday" in [digest]`},
	},
	{
		name: "unknown key in server",
		text: `[server]
port = 9464
`,
		want: []string{`dw.toml:2: unknown key "port" in [server]`},
	},
	{
		name: "unknown key in source",
		text: `[[source]]
name = "changelog"
type = "feed"
url = "https://example.com/feed.rss"
interval = "1h"
`,
		want: []string{`dw.toml:5: source "changelog": unknown key "interval"`},
	},
	{
		name: "unknown key in threshold",
		text: `[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"

  [[source.threshold]]
  path = "/cpu"
  above = 90

  [[source.threshold]]
  path = "/disk"
  max = 90
`,
		want: []string{`dw.toml:12: unknown key "max" in a [[source.threshold]] of source "db"`},
	},
	{
		name: "unknown key in expect",
		text: `[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"

[[expect]]
source = "db"
path = "/plan"
present = true
why = "billing"
`,
		want: []string{`dw.toml:10: unknown key "why" in an [[expect]]`},
	},
	{
		name: "key of another source type",
		text: `[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"
repo = "acme/db"
`,
		want: []string{`dw.toml:5: source "db": key "repo" is for github_releases sources, not http_json`},
	},
	{
		name: "broken TOML",
		text: `[store]
path = "dw.db

[server]
`,
		want: []string{`dw.toml:2: invalid TOML: strings cannot contain newlines`},
	},
	{
		name: "parser message quoting a newline stays one line",
		text: "[store]\npath = \"dw.db\\\n\"\n",
		want: []string{`dw.toml:3: invalid TOML: invalid escape in string '\\n'`},
	},
	{
		name: "key defined twice",
		text: `[server]
listen = "127.0.0.1:1"
listen = "127.0.0.1:2"
`,
		want: []string{`dw.toml:3: invalid TOML: Key 'server.listen' has already been defined.`},
	},
	{
		name: "wrong value type",
		text: `[[source]]
name = "changelog"
type = "feed"
url = "https://example.com/feed.rss"
schedule = 60
`,
		want: []string{`dw.toml:5: schedule: want a string, got an integer (60)`},
	},
	// Type mismatches read in the file's words in every table, typed
	// source settings included.
	{
		name: "source setting of the wrong type",
		text: "[[source]]\nname = \"mods\"\ntype = \"gomod\"\nmodule = \"example.com/m\"\nproxy = 5\n",
		want: []string{`dw.toml:5: proxy: want a string, got an integer (5)`},
	},
	{
		name: "labels that are not a table of strings",
		text: "[[source]]\nname = \"a\"\ntype = \"http_json\"\nurl = \"https://example.com/x\"\nlabels = 5\n",
		want: []string{`dw.toml:5: labels: want a table of strings such as {team = "identity"}, got an integer (5)`},
	},
	{
		name: "a label value that is not a string",
		text: "[[source]]\nname = \"a\"\ntype = \"http_json\"\nurl = \"https://example.com/x\"\nlabels = {team = 5}\n",
		want: []string{`dw.toml:5: labels: want a table of strings such as {team = "identity"}, got an integer for "team" ({team = 5})`},
	},
	{
		name: "store value of the wrong type",
		text: "[store]\nkeep_snapshots = \"many\" # all\n",
		want: []string{`dw.toml:2: keep_snapshots: want a whole number, got a string ("many")`},
	},
	{
		name: "server value of the wrong type",
		text: "[server]\nlisten = 8080\n",
		want: []string{`dw.toml:2: listen: want a string, got an integer (8080)`},
	},
	{
		name: "receiver value of the wrong type",
		text: "[[receiver]]\nname = \"mail\"\ntype = \"email\"\nhost = \"smtp.example.com\"\nport = \"587\"\n",
		want: []string{`dw.toml:5: port: want a whole number, got a string ("587")`},
	},
	{
		name: "route value of the wrong type",
		text: "[[route]]\nreceivers = [\"x\"]\ndigest = \"yes\"\n",
		want: []string{`dw.toml:3: digest: want true or false, got a string ("yes")`},
	},
	{
		name: "route matcher of the wrong type",
		text: "[[route]]\nsource = 5\nreceivers = [\"x\"]\n",
		want: []string{`dw.toml:2: source: want a string or a list of strings, got an integer (5)`},
	},
	{
		name: "threshold value of the wrong type",
		text: "[[source]]\nname = \"db\"\ntype = \"http_json\"\nurl = \"https://example.com/m\"\n[[source.threshold]]\npath = \"/x\"\nabove = \"big\"\n",
		want: []string{`dw.toml:7: above: want a number, got a string ("big")`},
	},
	{
		name: "several unknown keys sorted by line",
		text: `[server]
port = 1

[[source]]
name = "db"
type = "http_json"
url = "https://example.com/db"
domain = "acme.eu.auth0.com"
headers = { Authorization = "secret" }

colour = "blue"
`,
		want: []string{
			`dw.toml:2: unknown key "port" in [server]`,
			`dw.toml:8: source "db": key "domain" is for auth0 sources, not http_json`,
			`dw.toml:9: source "db": unknown key "headers"`,
			`dw.toml:11: source "db": unknown key "colour"`,
		},
	},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range errorCases {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse("dw.toml", []byte(tt.text), env(tt.env))
			if err == nil {
				t.Fatalf("Parse succeeded with %+v; want errors:\n%s", cfg, strings.Join(tt.want, "\n"))
			}
			if cfg != nil {
				t.Errorf("Parse returned a config with its error")
			}
			if got, want := err.Error(), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("error:\n%s\nwant:\n%s", got, want)
			}
			// Each line is its own *config.Error, so cmd can print them one
			// by one.
			var errs []error
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				errs = j.Unwrap()
			} else {
				errs = []error{err}
			}
			if len(errs) != len(tt.want) {
				t.Fatalf("%d errors, want %d", len(errs), len(tt.want))
			}
			for i, e := range errs {
				var ce *config.Error
				if !errors.As(e, &ce) || ce.File != "dw.toml" || ce.Line == 0 {
					t.Errorf("error %d = %#v, want a *config.Error with file and line", i, e)
				}
			}
		})
	}
}
