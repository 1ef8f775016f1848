package config_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/driftwatch/driftwatch/config"
)

// fuzzEnv sets every variable except those named UNSET*, so that both
// resolved and missing secrets are reached.
func fuzzEnv(name string) (string, bool) {
	if strings.HasPrefix(name, "UNSET") {
		return "", false
	}
	return "value of " + name, true
}

// FuzzParse checks that no input panics the loader, that an error names
// the file on every line, and that a config which parses is stable: written
// back as TOML (defaults now explicit) it parses to the same config.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("testdata/full.toml"); err == nil {
		f.Add(string(b))
	}
	for _, tt := range errorCases {
		f.Add(tt.text)
	}
	for _, s := range []string{
		"",
		"[[source]]\nname = \"a\"\ntype = \"feed\"\nurl = \"https://e.com/f\"\nschedule = \"CRON_TZ=\"\n",
		"[[source]]\nname = \"a\"\ntype = \"feed\"\nurl = \"https://e.com/f\"\nschedule = \"TZ=UTC\t@daily\"\n",
		"[[source]]\nname = \"a\"\ntype = \"http_json\"\nurl = \"https://e.com/f\"\nheaders_env = { A = \"UNSET_A\" }\n" +
			"[[expect]]\nsource = \"a\"\npath = \"\"\nequals = [1, 2.5, \"x\", { k = true }]\n",
		"[[source]]\nname = \"a\"\ntype = \"http_json\"\nurl = \"https://e.com/f\"\n[[source.threshold]]\npath = \"/x\"\nbelow = nan\n",
		"notify = { slack = { token_env = \"T\", channel = \"#c\", send_resolved = true } }\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cfg, err := config.Parse("dw.toml", []byte(text), fuzzEnv)
		if (cfg == nil) == (err == nil) {
			t.Fatalf("Parse = %v, %v: want exactly one of config and error", cfg, err)
		}
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "dw.toml:") {
					t.Fatalf("error line %q does not name the file", line)
				}
			}
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *config.Error", err)
			}
			return
		}
		again, err := config.Parse("dw.toml", rewrite(t, cfg), fuzzEnv)
		if err != nil {
			t.Fatalf("config written back does not parse: %v\n--- input:\n%s\n--- written:\n%s", err, text, rewrite(t, cfg))
		}
		normalize(cfg)
		normalize(again)
		if diff := cmp.Diff(cfg, again, cmpopts.IgnoreFields(config.Source{}, "Line"), cmpopts.IgnoreUnexported(config.Config{}),
			cmpopts.IgnoreFields(config.Expect{}, "Line"),
			cmpopts.IgnoreFields(config.Receiver{}, "Line"), cmpopts.IgnoreFields(config.Route{}, "Line"), cmpopts.EquateEmpty(), cmpopts.EquateNaNs()); diff != "" {
			t.Fatalf("config changed when written back (-first +second):\n%s\n--- input:\n%s", diff, text)
		}
	})
}

// rewrite writes cfg back as TOML. The encoder writes every string field;
// empty ones are dropped again so that a key of another source type does
// not appear, except where "" is a value (contains, equals, headers_env).
func rewrite(t *testing.T, cfg *config.Config) []byte {
	b, err := toml.Marshal(cfg)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var m map[string]any
	if _, err := toml.Decode(string(b), &m); err != nil {
		t.Fatalf("decode written config: %v\n%s", err, b)
	}
	// A source's own keys are written from its type's settings.
	srcs, _ := m["source"].([]map[string]any)
	for i := range srcs {
		if i >= len(cfg.Sources) || cfg.Sources[i].Settings == nil {
			continue
		}
		sb, err := toml.Marshal(cfg.Sources[i].Settings)
		if err != nil {
			t.Fatalf("marshal settings: %v", err)
		}
		if _, err := toml.Decode(string(sb), &srcs[i]); err != nil {
			t.Fatalf("decode written settings: %v\n%s", err, sb)
		}
	}
	prune := func(v any) {
		tab, ok := v.(map[string]any)
		if !ok {
			return
		}
		for k, x := range tab {
			if k == "contains" || k == "equals" {
				continue
			}
			if x == "" || (k == "include_prereleases" && x == false) {
				delete(tab, k)
			}
		}
	}
	for _, k := range []string{"store", "digest", "server"} {
		prune(m[k])
	}
	if n, ok := m["notify"].(map[string]any); ok {
		prune(n["slack"])
	}
	for _, k := range []string{"source", "expect", "receiver", "route"} {
		tabs, _ := m[k].([]map[string]any)
		for _, tab := range tabs {
			prune(tab)
			ths, _ := tab["threshold"].([]map[string]any)
			for _, th := range ths {
				prune(th)
			}
		}
	}
	out, err := toml.Marshal(m)
	if err != nil {
		t.Fatalf("marshal pruned: %v", err)
	}
	return out
}

// normalize turns expectation values into their JSON form, as the rules
// see them: an inline table and a table array are the same value.
func normalize(cfg *config.Config) {
	norm := func(v any) any {
		if v == nil {
			return nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return v
		}
		var out any
		if json.Unmarshal(b, &out) != nil {
			return v
		}
		return out
	}
	for i := range cfg.Expects {
		cfg.Expects[i].Contains = norm(cfg.Expects[i].Contains)
		cfg.Expects[i].Equals = norm(cfg.Expects[i].Equals)
	}
}
