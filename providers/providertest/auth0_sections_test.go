package providertest_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

// recordedKeys are the keys of a recorded envelope in the corpus.
func recordedKeys(t *testing.T, file string) []string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(providertest.MustRead(file), &m); err != nil {
		t.Fatal(err)
	}
	k := keysOf(m)
	slices.Sort(k)
	return k
}

func TestAuth0SectionsSpeakTheRecordedShapes(t *testing.T) {
	a := providertest.NewAuth0(providertest.Auth0Options{})
	defer a.Close()
	tok := auth0Token(t, a)

	var env map[string]any
	decodeAuth0(t, getAuth0(t, a, tok, providertest.Auth0ClientGrantsPath+"?page=0&per_page=50&include_totals=true"), 200, &env)
	got := keysOf(env)
	slices.Sort(got)
	if want := recordedKeys(t, "auth0/client_grants_list_empty.terraform.json"); !slices.Equal(got, want) {
		t.Errorf("client grants envelope keys = %v, recorded %v", got, want)
	}
	decodeAuth0(t, getAuth0(t, a, tok, providertest.Auth0BindingsPath("post-login")+"?page=0&per_page=100&include_totals=true"), 200, &env)
	for _, k := range recordedKeys(t, "auth0/trigger_bindings_post_login.terraform.json") {
		if _, ok := env[k]; !ok {
			t.Errorf("bindings envelope lacks the recorded %q: %v", k, keysOf(env))
		}
	}
	b := env["bindings"].([]any)[0].(map[string]any)
	var rec map[string]any
	_ = json.Unmarshal(providertest.MustRead("auth0/trigger_bindings_post_login.terraform.json"), &rec)
	for k := range rec["bindings"].([]any)[0].(map[string]any) {
		if _, ok := b[k]; !ok {
			t.Errorf("a binding lacks the recorded %q", k)
		}
	}
	decodeAuth0(t, getAuth0(t, a, tok, providertest.Auth0BindingsPath("post-login")+"?page=5&per_page=100&include_totals=true"), 200, &env)
	if l, ok := env["bindings"].([]any); !ok || len(l) != 0 {
		t.Errorf("a page past the end = %v, want an empty list", env)
	}
	for _, k := range recordedKeys(t, "auth0/trigger_bindings_empty_page.terraform.json") {
		if _, ok := env[k]; !ok {
			t.Errorf("the empty page lacks the recorded %q: %v", k, keysOf(env))
		}
	}
	resp := getAuth0(t, a, tok, providertest.Auth0BindingsPath("no-such-trigger"))
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("bindings of an unknown trigger: %d, want 404", resp.StatusCode)
	}

	var list []map[string]any
	for _, path := range []string{providertest.Auth0LogStreamsPath, providertest.Auth0SigningKeysPath,
		providertest.Auth0GuardianFactorsPath, providertest.Auth0CustomDomainsPath} {
		decodeAuth0(t, getAuth0(t, a, tok, path), 200, &list)
		if len(list) == 0 {
			t.Errorf("%s: an empty list", path)
		}
	}
	a.Mutate(func(tn *providertest.Auth0Tenant) { tn.EmailProvider = nil })
	resp = getAuth0(t, a, tok, providertest.Auth0EmailProviderPath)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("no email provider: %d, want 404", resp.StatusCode)
	}
}

func TestAuth0WithheldScope(t *testing.T) {
	a := providertest.NewAuth0(providertest.Auth0Options{})
	defer a.Close()
	a.Mutate(func(tn *providertest.Auth0Tenant) { tn.Withheld["read:attack_protection"] = true })
	tok := auth0Token(t, a)
	var body map[string]any
	decodeAuth0(t, getAuth0(t, a, tok, providertest.Auth0SuspiciousIPPath), http.StatusForbidden, &body)
	if body["errorCode"] != "insufficient_scope" || !strings.Contains(body["message"].(string), "read:attack_protection") {
		t.Errorf("403 body = %v", body)
	}
	decodeAuth0(t, getAuth0(t, a, tok, providertest.Auth0PromptsPath), http.StatusOK, &body)
}
