package diff_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/driftwatch/driftwatch/diff"
	jd "github.com/josephburnett/jd/v2"
	"github.com/wI2L/jsondiff"
)

// The benchmarks compare our diff with two maintained JSON diff libraries
// and with the floor every tree-based diff pays: decoding both documents.
// All run on the same canonical bytes of an Auth0-like tenant.

// auth0Sets are the set arrays of an auth0 snapshot (CONTRACT.md).
var auth0Sets = diff.MustPatterns(
	"/clients/*/callbacks",
	"/clients/*/allowed_logout_urls",
	"/clients/*/web_origins",
	"/clients/*/allowed_origins",
	"/clients/*/grant_types",
	"/connections/*/enabled_clients",
)

const benchClients = 3000

var tenant struct {
	once           sync.Once
	oldDoc, newDoc any
	old, new       []byte
}

// tenantDocs returns the canonical bytes of two versions of a generated
// tenant of 3,000 clients (about 5 MB) that differ by a handful of changes.
func tenantDocs(tb testing.TB) (old, new []byte) {
	tb.Helper()
	tenant.once.Do(func() {
		r := rand.New(rand.NewPCG(1, 2))
		doc := genTenant(r, benchClients)
		tenant.oldDoc = doc
		var err error
		if tenant.old, err = diff.Canonical(doc, diff.Options{Sets: auth0Sets}); err != nil {
			panic(err)
		}
		// The second version: decoded from the first, then edited.
		v2, err := diff.Decode(tenant.old)
		if err != nil {
			panic(err)
		}
		editTenant(r, v2.(map[string]any), benchClients)
		tenant.newDoc = v2
		if tenant.new, err = diff.Canonical(v2, diff.Options{Sets: auth0Sets}); err != nil {
			panic(err)
		}
	})
	return tenant.old, tenant.new
}

var words = []string{"acme", "billing", "portal", "admin", "mobile", "partner", "reports",
	"search", "checkout", "support", "internal", "analytics", "orders", "shop", "legacy"}

func clientName(i int) string {
	return fmt.Sprintf("%s %s %04d", words[i%len(words)], words[(i/len(words))%len(words)], i)
}

func clientID(r *rand.Rand) string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 32)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return string(b)
}

func urls(r *rand.Rand, host string, paths ...string) []any {
	n := 1 + r.IntN(len(paths))
	out := make([]any, 0, n)
	for _, p := range paths[:n] {
		out = append(out, "https://"+host+p)
	}
	return out
}

// genClient returns a client shaped like a Management API GET /clients
// item (see the providertest corpus), secrets already redacted.
func genClient(r *rand.Rand, i int) map[string]any {
	name := clientName(i)
	host := fmt.Sprintf("app%d.%s.example.com", i, words[i%len(words)])
	appType := []string{"spa", "regular_web", "native", "non_interactive"}[r.IntN(4)]
	grants := []any{"authorization_code", "refresh_token", "implicit",
		"client_credentials", "password", "http://auth0.com/oauth/grant-type/mfa-oob"}
	return map[string]any{
		"name":        name,
		"client_id":   clientID(r),
		"description": fmt.Sprintf("The %s application of team %s (OPS-%d).", name, words[r.IntN(len(words))], 1000+r.IntN(9000)),
		"app_type":    appType,
		"logo_uri":    "https://cdn." + host + "/logo.png",
		"tenant":      "acme-prod",
		"callbacks": urls(r, host, "/callback", "/auth/callback", "/oauth2/redirect",
			"/silent-callback", "/login/callback", "/api/auth/callback/auth0"),
		"allowed_logout_urls": urls(r, host, "/", "/logout", "/signed-out", "/goodbye"),
		"web_origins":         urls(r, host, "", ":8443", ":3000"),
		"allowed_origins":     urls(r, host, "", ":8443"),
		"allowed_clients":     []any{},
		"client_aliases":      []any{},
		"grant_types":         grants[:2+r.IntN(len(grants)-2)],
		"client_secret":       "[redacted]",
		"signing_keys":        "[redacted]",
		"jwt_configuration": map[string]any{
			"alg":                 []string{"RS256", "HS256"}[r.IntN(2)],
			"lifetime_in_seconds": json.Number(fmt.Sprint(3600 * (1 + r.IntN(10)))),
			"secret_encoded":      false,
		},
		"refresh_token": map[string]any{
			"rotation_type":                []string{"rotating", "non-rotating"}[r.IntN(2)],
			"expiration_type":              "expiring",
			"leeway":                       json.Number("0"),
			"token_lifetime":               json.Number("2592000"),
			"infinite_token_lifetime":      false,
			"idle_token_lifetime":          json.Number("1296000"),
			"infinite_idle_token_lifetime": false,
		},
		"token_endpoint_auth_method":                           []string{"none", "client_secret_post", "client_secret_basic"}[r.IntN(3)],
		"is_first_party":                                       true,
		"is_token_endpoint_ip_header_trusted":                  false,
		"oidc_conformant":                                      true,
		"sso_disabled":                                         false,
		"cross_origin_authentication":                          r.IntN(5) == 0,
		"custom_login_page_on":                                 true,
		"initiate_login_uri":                                   "https://" + host + "/login",
		"organization_usage":                                   "deny",
		"organization_require_behavior":                        "no_prompt",
		"require_pushed_authorization_requests":                false,
		"skip_non_verifiable_callback_uri_confirmation_prompt": true,
		"callback_url_template":                                false,
		"client_metadata": map[string]any{
			"team":        words[r.IntN(len(words))],
			"cost_center": json.Number(fmt.Sprint(100 + r.IntN(900))),
		},
	}
}

func genTenant(r *rand.Rand, n int) map[string]any {
	clients := make(map[string]any, n)
	for i := range n {
		clients[clientName(i)] = genClient(r, i)
	}
	connections := map[string]any{}
	for _, c := range []string{"Username-Password-Authentication", "google-oauth2", "github",
		"acme-saml", "acme-ad", "email", "sms", "windowslive"} {
		enabled := []any{}
		for i := range n {
			if r.IntN(4) == 0 {
				enabled = append(enabled, clientName(i))
			}
		}
		connections[c] = map[string]any{
			"name": c, "strategy": c, "id": "con_" + clientID(r)[:16],
			"enabled_clients": enabled,
			"options":         map[string]any{"brute_force_protection": true, "client_secret": "[redacted]"},
		}
	}
	servers := map[string]any{}
	for i := range 40 {
		id := fmt.Sprintf("https://api.acme.com/%s/%d", words[i%len(words)], i)
		servers[id] = map[string]any{
			"identifier": id, "name": "API " + id, "signing_alg": "RS256",
			"token_lifetime": json.Number("86400"), "allow_offline_access": i%2 == 0,
			"scopes": []any{map[string]any{"value": "read:" + words[i%len(words)], "description": "Read"}},
		}
	}
	return map[string]any{
		"tenant": map[string]any{
			"friendly_name": "Acme", "support_email": "support@acme.com",
			"session_lifetime": json.Number("168"), "idle_session_lifetime": json.Number("72"),
			"sandbox_version": "18", "flags": map[string]any{"enable_client_connections": false},
		},
		"clients":          clients,
		"connections":      connections,
		"resource_servers": servers,
	}
}

// tenantEdits names the clients editTenant changes in a tenant of n.
type tenantEdits struct{ lostCallback, newClient, shorterJWT, lostGrant string }

func editsFor(n int) tenantEdits {
	return tenantEdits{clientName(n * 41 / 100), clientName(n), clientName(n * 83 / 100), clientName(n * 23 / 100)}
}

// editTenant makes the handful of changes of a typical poll to a tenant
// of n clients: a callback removed, a client added, a setting changed, a
// grant removed, a connection enabled for the new client.
func editTenant(r *rand.Rand, doc map[string]any, n int) {
	e := editsFor(n)
	clients := doc["clients"].(map[string]any)
	c := clients[e.lostCallback].(map[string]any)
	cb := c["callbacks"].([]any)
	c["callbacks"] = append(cb[:0:0], cb[1:]...)
	clients[e.newClient] = genClient(r, n)
	c = clients[e.shorterJWT].(map[string]any)
	c["jwt_configuration"].(map[string]any)["lifetime_in_seconds"] = json.Number("60")
	c = clients[e.lostGrant].(map[string]any)
	g := c["grant_types"].([]any)
	c["grant_types"] = g[:len(g)-1]
	conn := doc["connections"].(map[string]any)["google-oauth2"].(map[string]any)
	conn["enabled_clients"] = append(conn["enabled_clients"].([]any), e.newClient)
}

func BenchmarkDiff(b *testing.B) {
	old, new := tenantDocs(b)
	opt := diff.Options{Sets: auth0Sets}
	b.ReportAllocs()
	b.SetBytes(int64(len(old) + len(new)))
	b.ResetTimer()
	for b.Loop() {
		ch, err := diff.Diff(old, new, opt)
		if err != nil || len(ch) == 0 {
			b.Fatalf("diff: %d changes, %v", len(ch), err)
		}
	}
}

func BenchmarkCanonical(b *testing.B) {
	old, _ := tenantDocs(b)
	opt := diff.Options{Sets: auth0Sets}
	b.ReportAllocs()
	b.SetBytes(int64(len(old)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := diff.Canonical(tenant.oldDoc, opt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONDiff(b *testing.B) {
	old, new := tenantDocs(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(old) + len(new)))
	b.ResetTimer()
	for b.Loop() {
		p, err := jsondiff.CompareJSON(old, new)
		if err != nil || len(p) == 0 {
			b.Fatalf("jsondiff: %d operations, %v", len(p), err)
		}
	}
}

func BenchmarkJD(b *testing.B) {
	old, new := tenantDocs(b)
	so, sn := string(old), string(new)
	b.ReportAllocs()
	b.SetBytes(int64(len(old) + len(new)))
	b.ResetTimer()
	for b.Loop() {
		a, err := jd.ReadJsonString(so)
		if err != nil {
			b.Fatal(err)
		}
		c, err := jd.ReadJsonString(sn)
		if err != nil {
			b.Fatal(err)
		}
		if d := a.Diff(c); len(d) == 0 {
			b.Fatal("jd: empty diff")
		}
	}
}

func BenchmarkUnmarshalFloor(b *testing.B) {
	old, new := tenantDocs(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(old) + len(new)))
	b.ResetTimer()
	for b.Loop() {
		var x, y any
		if err := json.Unmarshal(old, &x); err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(new, &y); err != nil {
			b.Fatal(err)
		}
	}
}
