package auth0

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/providertest"
)

func TestSecurePlaces(t *testing.T) {
	in := `{"connections": [{"name": "db", "options": {
	    "configuration": {"DB_HOST": "CkIKIFB7R8wZ", "retries": 3, "unset": null},
	    "customHeaders": {"X-Trace": "on", "X-Auth0-Client-Secret": "hv"},
	    "customScripts": {"login": "function login(u, p, cb) { /* mongodb://admin:pw@db */ }"},
	    "passwordPolicy": "good", "client_secret": "s", "disable_self_service_change_password": true}},
	  {"name": "oidc", "options": {"customHeaders": [{"header": "X-Tenant", "value": "t1"}]}}]}`
	want := `{"connections": [{"name": "db", "options": {
	    "configuration": {"DB_HOST": "[redacted]", "retries": "[redacted]", "unset": null},
	    "customHeaders": {"X-Trace": "[redacted]", "X-Auth0-Client-Secret": "[redacted]"},
	    "customScripts_sha256": {"login": "` + sha("function login(u, p, cb) { /* mongodb://admin:pw@db */ }") + `"},
	    "passwordPolicy": "good", "client_secret": "[redacted]", "disable_self_service_change_password": true}},
	  {"name": "oidc", "options": {"customHeaders": [{"header": "X-Tenant", "value": "[redacted]"}]}}]}`
	v, err := diff.Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := diff.Decode([]byte(want))
	if d := cmp.Diff(w, secure(v)); d != "" {
		t.Errorf("secure (-want +got):\n%s", d)
	}
}

func TestDeprecationsData(t *testing.T) {
	ds, err := loadDeprecations(deprecationsJSON)
	if err != nil {
		t.Fatalf("deprecations.json: %v", err)
	}
	used := map[string]bool{}
	for _, d := range ds {
		used[d.Check] = true
	}
	for name := range checks {
		if !used[name] {
			t.Errorf("check %s has no entry in deprecations.json", name)
		}
	}
	good := `{"id":"x","rule":"auth0.deprecated_x","check":"tenant_flag","values":["f"],"fact":"f","sources":[{"title":"Docs","url":"https://auth0.com/docs/x"}],
	  "deprecated":"2020-01-01","end_of_life":"2021-01-01","fields":["/tenant/flags/f"]}`
	if _, err := loadDeprecations([]byte("[" + good + "]")); err != nil {
		t.Fatalf("a valid entry is refused: %v", err)
	}
	for name, c := range map[string]struct{ from, to, want string }{
		"unknown field": {`"fact"`, `"facts"`, "unknown field"},
		"bad date":      {`"2021-01-01"`, `"01/01/2021"`, "end_of_life"},
		"eol before":    {`"2021-01-01"`, `"2019-01-01"`, "before deprecated"},
		"unknown check": {`"tenant_flag"`, `"tenant_flags"`, "unknown check"},
		"rule prefix":   {`"auth0.deprecated_x"`, `"auth0.x"`, "must start with"},
		"no values":     {`["f"]`, `[]`, "needs values"},
		"bad field":     {`"/tenant/flags/f"`, `"tenant"`, "not a JSON Pointer"},
		"no source":     {`"sources":[{"title":"Docs","url":"https://auth0.com/docs/x"}]`, `"sources":[]`, "sources are required"},
		"not a URL":     {`"https://auth0.com/docs/x"`, `"Auth0 docs"`, "public https URL"},
		"issue first":   {`"https://auth0.com/docs/x"`, `"https://github.com/auth0/terraform-provider-auth0/issues/777"`, "cite Auth0's own page first"},
		"internal id":   {`"fact":"f"`, `"fact":"see AUTH0-FACTS B-35"`, "internal reference"},
		"eol severity":  {`"end_of_life":"2021-01-01"`, `"end_of_life":"2021-01-01","end_of_life_severity":"info"`, "end_of_life_severity"},
	} {
		bad := strings.Replace(good, c.from, c.to, 1)
		if _, err := loadDeprecations([]byte("[" + bad + "]")); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
	if _, err := loadDeprecations([]byte("[" + good + "," + good + "]")); err == nil || !strings.Contains(err.Error(), "repeated") {
		t.Errorf("a repeated id is accepted: %v", err)
	}
}

func TestBuildDocumentLeavesItsInputAlone(t *testing.T) {
	raw := readRaw(t, providertest.Auth0Options{})
	before, err := diff.Canonical(rawAsAny(raw), diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc1, _ := buildDocument(raw, nil)
	doc2, _ := buildDocument(raw, nil)
	after, _ := diff.Canonical(rawAsAny(raw), diff.Options{})
	if string(before) != string(after) {
		t.Error("buildDocument modified its input")
	}
	b1, _ := diff.Canonical(doc1, diff.Options{Sets: Sets})
	b2, _ := diff.Canonical(doc2, diff.Options{Sets: Sets})
	if string(b1) != string(b2) {
		t.Error("buildDocument is not deterministic")
	}
}

// BenchmarkBuildDocument measures shaping a 3,000-client tenant, already
// read and redacted, into its document.
func BenchmarkBuildDocument(b *testing.B) {
	raw := readRaw(b, providertest.Auth0Options{Clients: 3000})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buildDocument(raw, nil)
	}
}

// readRaw reads a simulated tenant's endpoints once.
func readRaw(tb testing.TB, opt providertest.Auth0Options) *rawTenant {
	tb.Helper()
	sim := providertest.NewAuth0(opt)
	tb.Cleanup(sim.Close)
	p, err := New(Config{Domain: sim.Domain(), BaseURL: sim.URL(), ClientID: sim.ClientID(), ClientSecret: sim.ClientSecret()}, nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	s := &session{p: p, remaining: -1, lastRemaining: -1}
	raw, err := s.read(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

func rawAsAny(r *rawTenant) any {
	return map[string]any{"settings": r.settings, "clients": r.clients, "connections": r.connections,
		"resource_servers": r.resourceServers, "actions": r.actions, "rules": r.rules, "hooks": r.hooks}
}

func TestPointerHelpers(t *testing.T) {
	for path, want := range map[string]string{
		"":                         "",
		"/tenant":                  "/tenant",
		"/tenant/flags/enable_sso": "/tenant",
		"/clients/Acme Web":        "/clients/Acme Web",
		"/clients/Acme Web/refresh_token/rotation_type": "/clients/Acme Web",
		"/resource_servers/https:~1~1api/scopes/read:x": "/resource_servers/https:~1~1api",
		"/missing_scopes": "/missing_scopes",
	} {
		if got := ownerPath(path); got != want {
			t.Errorf("ownerPath(%q) = %q, want %q", path, got, want)
		}
	}
	doc, _ := diff.Decode([]byte(`{"a/b": {"c~d": [1, {"e": null}]}, "": {"x": true}}`))
	for _, p := range []string{"", "/a~1b", "/a~1b/c~0d/0", "/a~1b/c~0d/1/e", "/a~1b/c~0d/2", "/a~1b/c~0d/01", "//x", "/nope", "x"} {
		gv, gok := lookup(doc, p)
		wv, wok := diff.Get(doc, p)
		if gok != wok || !cmp.Equal(gv, wv) {
			t.Errorf("lookup(%q) = %v %v, diff.Get = %v %v", p, gv, gok, wv, wok)
		}
	}
}

// TestGrantPhraseNamesGrantsAsASentenceDoes: "uses the implicit grant",
// "uses the implicit and password grants", never "uses implicit".
func TestGrantPhraseNamesGrantsAsASentenceDoes(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{
		{[]string{"implicit"}, "the implicit grant"},
		{[]string{"implicit", "password"}, "the implicit and password grants"},
		{[]string{"implicit", "password", "http://auth0.com/oauth/grant-type/password-realm"}, "the implicit, password and http://auth0.com/oauth/grant-type/password-realm grants"},
	} {
		if got := grantPhrase(c.in); got != c.want {
			t.Errorf("grantPhrase(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
