package rules_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/rules"
	"github.com/driftwatch/driftwatch/watcher"
)

// doc decodes a snapshot document the way the engine hands it to rules:
// numbers as json.Number.
func doc(t *testing.T, s string) any {
	t.Helper()
	v, err := diff.Decode([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const tenantDoc = `{
  "clients": {
    "Acme Web": {
      "app_type": "spa",
      "callbacks": ["https://app.acme.com/callback", "https://staging.acme.com/callback"]
    },
    "ops/bot": {"scope~v2": "read:stats"}
  },
  "tenant": {"friendly_name": "Acme Corp (prod)", "flags": {"enable_client_connections": false}, "sandbox": null},
  "plan": {"tier": 1.0, "name": "pro", "seats": 25},
  "latest": "v2.2.0",
  "build": 3,
  "ports": [80, 443.0]
}`

func judgeOne(t *testing.T, e rules.Expectation, document any) []watcher.Finding {
	t.Helper()
	return rules.Expect([]rules.Expectation{e}).Judge(&watcher.Judgement{
		Source: watcher.Source{Name: "auth0-prod", Type: "auth0"}, New: document, Peers: watcher.NoPeers{},
	})
}

func TestExpect(t *testing.T) {
	d := doc(t, tenantDoc)
	type want struct {
		rule, title, old, new string
	}
	tests := []struct {
		name string
		exp  rules.Expectation
		want *want // nil: the expectation holds
	}{
		// contains on arrays (members) and strings (substrings)
		{"array has member", rules.Expectation{Path: "/clients/Acme Web/callbacks", Kind: "contains", Value: "https://app.acme.com/callback"}, nil},
		{"array lacks member", rules.Expectation{Path: "/clients/Acme Web/callbacks", Kind: "contains", Value: "https://app.acme.com/logout"},
			&want{"expect.contains", "Expectation failed: /clients/Acme Web/callbacks no longer contains https://app.acme.com/logout",
				"https://app.acme.com/logout", `["https://app.acme.com/callback","https://staging.acme.com/callback"]`}},
		{"array has number 443 as 443.0", rules.Expectation{Path: "/ports", Kind: "contains", Value: json.Number("443")}, nil},
		{"array of numbers lacks a string", rules.Expectation{Path: "/ports", Kind: "contains", Value: "443"},
			&want{"expect.contains", "Expectation failed: /ports no longer contains 443", "443", "[80,443.0]"}},
		{"string has substring", rules.Expectation{Path: "/tenant/friendly_name", Kind: "contains", Value: "(prod)"}, nil},
		{"string lacks substring", rules.Expectation{Path: "/tenant/friendly_name", Kind: "contains", Value: "staging"},
			&want{"expect.contains", "Expectation failed: /tenant/friendly_name no longer contains staging", "staging", "Acme Corp (prod)"}},
		{"contains on missing path", rules.Expectation{Path: "/clients/Legacy/callbacks", Kind: "contains", Value: "https://old.acme.com/cb"},
			&want{"expect.contains", "Expectation failed: /clients/Legacy/callbacks is missing; expected it to contain https://old.acme.com/cb",
				"https://old.acme.com/cb", ""}},

		// equals: numbers compare as numbers, strings as strings
		{"1 equals 1.0", rules.Expectation{Path: "/plan/tier", Kind: "equals", Value: json.Number("1")}, nil},
		{"1.0 equals int 1", rules.Expectation{Path: "/plan/tier", Kind: "equals", Value: int64(1)}, nil},
		{"25 equals 25.00", rules.Expectation{Path: "/plan/seats", Kind: "equals", Value: json.Number("25.00")}, nil},
		{"number differs", rules.Expectation{Path: "/plan/tier", Kind: "equals", Value: json.Number("2")},
			&want{"expect.equals", "Expectation failed: /plan/tier is 1.0, expected 2", "2", "1.0"}},
		{"string is not the number", rules.Expectation{Path: "/plan/tier", Kind: "equals", Value: "1"},
			&want{"expect.equals", "Expectation failed: /plan/tier is 1.0, expected 1", "1", "1.0"}},
		{"string equals", rules.Expectation{Path: "/plan/name", Kind: "equals", Value: "pro"}, nil},
		{"string differs", rules.Expectation{Path: "/plan/name", Kind: "equals", Value: "enterprise"},
			&want{"expect.equals", "Expectation failed: /plan/name is pro, expected enterprise", "enterprise", "pro"}},
		{"false equals false", rules.Expectation{Path: "/tenant/flags/enable_client_connections", Kind: "equals", Value: false}, nil},
		{"equals on missing path", rules.Expectation{Path: "/plan/region", Kind: "equals", Value: "eu"},
			&want{"expect.equals", "Expectation failed: /plan/region is missing; expected eu", "eu", ""}},

		// present and absent
		{"present false flag", rules.Expectation{Path: "/tenant/flags/enable_client_connections", Kind: "present"}, nil},
		{"present null", rules.Expectation{Path: "/tenant/sandbox", Kind: "present"}, nil},
		{"present missing", rules.Expectation{Path: "/tenant/flags/enable_dynamic_client_registration", Kind: "present"},
			&want{"expect.present", "Expectation failed: /tenant/flags/enable_dynamic_client_registration is missing", "", ""}},
		{"absent missing", rules.Expectation{Path: "/clients/Legacy App", Kind: "absent"}, nil},
		{"absent present", rules.Expectation{Path: "/clients/Acme Web/app_type", Kind: "absent"},
			&want{"expect.absent", "Expectation failed: /clients/Acme Web/app_type is present (spa); expected it absent", "", "spa"}},

		// semver
		{"semver satisfied", rules.Expectation{Path: "/latest", Kind: "semver", Constraint: "<3.0.0"}, nil},
		{"semver range satisfied", rules.Expectation{Path: "/latest", Kind: "semver", Constraint: ">=2.1, <2.3"}, nil},
		{"semver violated", rules.Expectation{Path: "/latest", Kind: "semver", Constraint: "<2.2.0"},
			&want{"expect.semver", "Expectation failed: /latest is v2.2.0, outside <2.2.0", "<2.2.0", "v2.2.0"}},
		{"semver not a version", rules.Expectation{Path: "/tenant/friendly_name", Kind: "semver", Constraint: ">=1.0.0"},
			&want{"expect.semver", `Expectation failed: /tenant/friendly_name is "Acme Corp (prod)", not a version`, ">=1.0.0", "Acme Corp (prod)"}},
		{"semver on a number", rules.Expectation{Path: "/build", Kind: "semver", Constraint: ">=1.0.0"},
			&want{"expect.semver", "Expectation failed: /build is 3, not a version", ">=1.0.0", "3"}},
		{"semver missing path", rules.Expectation{Path: "/deployed", Kind: "semver", Constraint: "^2"},
			&want{"expect.semver", "Expectation failed: /deployed is missing; expected a version ^2", "^2", ""}},
		{"semver constraint does not parse", rules.Expectation{Path: "/latest", Kind: "semver", Constraint: "<three"},
			&want{"expect.semver", `Expectation failed: semver constraint "<three" does not parse`, "<three", "v2.2.0"}},

		// pointers: escaped segments (~1 is "/", ~0 is "~") and spaces
		{"escaped segments", rules.Expectation{Path: "/clients/ops~1bot/scope~0v2", Kind: "equals", Value: "read:stats"}, nil},
		{"escaped segments differ", rules.Expectation{Path: "/clients/ops~1bot/scope~0v2", Kind: "equals", Value: "read:all"},
			&want{"expect.equals", "Expectation failed: /clients/ops~1bot/scope~0v2 is read:stats, expected read:all", "read:all", "read:stats"}},
		{"unescaped slash is two segments", rules.Expectation{Path: "/clients/ops/bot", Kind: "present"},
			&want{"expect.present", "Expectation failed: /clients/ops/bot is missing", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.exp.Severity, tt.exp.Category = watcher.Warning, watcher.ThirdParty
			got := judgeOne(t, tt.exp, d)
			if tt.want == nil {
				if len(got) != 0 {
					t.Fatalf("expectation holds, but got %+v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("got %d findings, want 1: %+v", len(got), got)
			}
			f := got[0]
			w := watcher.Finding{Rule: tt.want.rule, Severity: watcher.Warning, Category: watcher.ThirdParty, Path: tt.exp.Path,
				Title: tt.want.title, Old: tt.want.old, New: tt.want.new}
			if diff := cmp.Diff(w, f, cmpopts.IgnoreFields(watcher.Finding{}, "Subject", "Detail")); diff != "" {
				t.Errorf("finding (-want +got):\n%s", diff)
			}
			if f.Subject == "" {
				t.Error("Subject is empty: two expectations at one path would share an identity")
			}
			for _, part := range []string{tt.want.old, tt.want.new} {
				if !strings.Contains(f.Detail, part) {
					t.Errorf("Detail %q does not show %q", f.Detail, part)
				}
			}
		})
	}
}

func TestExpectNoteAndSeverity(t *testing.T) {
	d := doc(t, tenantDoc)
	e := rules.Expectation{Path: "/clients/Acme Web/callbacks", Kind: "contains", Value: "https://app.acme.com/logout",
		Severity: watcher.Breaking, Category: watcher.Configuration, Note: "login redirect of the web app"}
	fs := judgeOne(t, e, d)
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1", len(fs))
	}
	f := fs[0]
	if f.Severity != watcher.Breaking || f.Category != watcher.Configuration || f.Note != e.Note {
		t.Errorf("severity %s category %s note %q; want the expectation's", f.Severity, f.Category, f.Note)
	}
	if want := "Expectation failed: /clients/Acme Web/callbacks no longer contains https://app.acme.com/logout (login redirect of the web app)"; f.Title != want {
		t.Errorf("Title = %q, want %q", f.Title, want)
	}
	for _, part := range []string{"https://app.acme.com/logout", "https://staging.acme.com/callback", "login redirect of the web app"} {
		if !strings.Contains(f.Detail, part) {
			t.Errorf("Detail %q lacks %q", f.Detail, part)
		}
	}
}

// TestExpectIdentity: each expectation is its own finding, and the same
// violation judged again has the same fingerprint (so it stays one row).
func TestExpectIdentity(t *testing.T) {
	d := doc(t, tenantDoc)
	exps := []rules.Expectation{
		{Path: "/clients/Acme Web/callbacks", Kind: "contains", Value: "https://a.example/cb", Severity: watcher.Breaking},
		{Path: "/clients/Acme Web/callbacks", Kind: "contains", Value: "https://b.example/cb", Severity: watcher.Breaking},
		{Path: "/plan/tier", Kind: "equals", Value: json.Number("2"), Severity: watcher.Breaking},
		{Path: "/plan/tier", Kind: "equals", Value: json.Number("3"), Severity: watcher.Breaking},
		{Path: "/latest", Kind: "semver", Constraint: "<2", Severity: watcher.Breaking},
		{Path: "/latest", Kind: "semver", Constraint: "<1", Severity: watcher.Breaking},
	}
	fingerprints := func(document any) []string {
		fs := rules.Expect(exps).Judge(&watcher.Judgement{New: document, Peers: watcher.NoPeers{}})
		out := make([]string, len(fs))
		for i := range fs {
			fs[i].Source = "auth0-prod"
			out[i] = fs[i].Fingerprint()
		}
		return out
	}
	first := fingerprints(d)
	if len(first) != len(exps) {
		t.Fatalf("%d findings, want %d", len(first), len(exps))
	}
	seen := map[string]bool{}
	for _, fp := range first {
		if seen[fp] {
			t.Errorf("two expectations share fingerprint %s", fp)
		}
		seen[fp] = true
	}
	// Later poll: the values moved on, the violations are the same ones.
	later := doc(t, strings.Replace(strings.Replace(tenantDoc, `"tier": 1.0`, `"tier": 4`, 1), "v2.2.0", "v2.4.1", 1))
	if diff := cmp.Diff(first, fingerprints(later)); diff != "" {
		t.Errorf("fingerprints changed with the values (-first +later):\n%s", diff)
	}
}

// TestExpectTitleOneLine: upstream text in a value must not break the
// one-line title (notices and CLI lists show titles as lines).
func TestExpectTitleOneLine(t *testing.T) {
	d := doc(t, `{"banner": "Maintenance tonight\nline two\r\n\tindented `+strings.Repeat("x", 2000)+`"}`)
	fs := judgeOne(t, rules.Expectation{Path: "/banner", Kind: "equals", Value: "none", Severity: watcher.Info}, d)
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1", len(fs))
	}
	title := fs[0].Title
	if strings.ContainsAny(title, "\r\n\t") {
		t.Errorf("Title spans lines: %q", title)
	}
	if n := len([]rune(title)); n > 301 || !strings.HasSuffix(title, "…") {
		t.Errorf("Title has %d runes; want it clipped to 300 and an ellipsis", n)
	}
	if !strings.HasPrefix(title, "Expectation failed: /banner is Maintenance tonight line two") {
		t.Errorf("Title = %.100q", title)
	}
	if !strings.Contains(fs[0].Detail, "line two\r\n\tindented") {
		t.Errorf("Detail lost the value's text: %.100q", fs[0].Detail)
	}
}

// An expectation folds in the built-in findings of its own cause — the
// member it names removed at its path, the client holding it removed —
// and nothing else.
func TestExpectFolds(t *testing.T) {
	exp := rules.Expectation{Path: "/clients/Acme Web/callbacks", Kind: "contains", Value: "https://app.acme.com/callback",
		Severity: watcher.Breaking, Category: watcher.Configuration, Note: "login redirect of the web app"}
	r := rules.Expect([]rules.Expectation{exp}).(watcher.Folder)
	fs := judgeOne(t, exp, doc(t, `{"clients": {"Acme Web": {"callbacks": ["https://staging.acme.com/callback"]}}}`))
	if len(fs) != 1 {
		t.Fatalf("findings = %v", fs)
	}
	removed := watcher.Finding{Rule: "auth0.url_removed", Severity: watcher.Warning, Path: "/clients/Acme Web/callbacks",
		Subject: "https://app.acme.com/callback", Title: `Callback URL https://app.acme.com/callback removed from client "Acme Web"`,
		Detail: "Logins that redirect to it now fail.", Old: "https://app.acme.com/callback"}
	tests := []struct {
		name  string
		other watcher.Finding
		folds bool
	}{
		{"the member removed", removed, true},
		{"the client removed", watcher.Finding{Rule: "auth0.client_removed", Path: "/clients/Acme Web", Title: "Client removed"}, true},
		{"another member removed", func() watcher.Finding {
			o := removed
			o.Subject = "https://staging.acme.com/callback"
			return o
		}(), false},
		{"another client removed", watcher.Finding{Rule: "auth0.client_removed", Path: "/clients/Acme", Title: "Client removed"}, false},
		{"a deprecation over all clients", watcher.Finding{Rule: "auth0.deprecated_non_verifiable_callback", Path: "/clients", Subject: "non-verifiable-callbacks"}, false},
		{"another expectation", watcher.Finding{Rule: "expect.present", Path: "/clients/Acme Web/callbacks"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fs[0]
			if got := r.Fold(&f, tt.other); got != tt.folds {
				t.Fatalf("Fold = %v, want %v", got, tt.folds)
			}
			if !tt.folds {
				if !cmp.Equal(f, fs[0]) {
					t.Errorf("a refused fold changed the finding: %+v", f)
				}
				return
			}
			if f.Severity != watcher.Breaking || f.Note != exp.Note || f.Rule != "expect.contains" || f.Subject != fs[0].Subject {
				t.Errorf("folded finding lost the expectation's identity: %+v", f)
			}
			if want := tt.other.Title + " (login redirect of the web app)"; f.Title != want {
				t.Errorf("title %q, want %q", f.Title, want)
			}
			if !strings.HasPrefix(f.Detail, tt.other.Detail) || !strings.Contains(f.Detail, "no longer contains") {
				t.Errorf("detail %q should hold both rules' words", f.Detail)
			}
		})
	}
}
