package auth0_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

func TestFetchReadsEveryPage(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{Clients: 130})
	p := newProvider(t, sim, nil)
	res := fetch(t, p, watcher.FetchState{})

	want := map[string]int{
		providertest.Auth0TokenPath:           1,
		providertest.Auth0SettingsPath:        1,
		providertest.Auth0ClientsPath:         2, // 130 clients, 100 a page
		providertest.Auth0ConnectionsPath:     1,
		providertest.Auth0ResourceServersPath: 1,
		providertest.Auth0ActionsPath:         1,
		providertest.Auth0RulesPath:           1,
		providertest.Auth0HooksPath:           1,
		// The optional sections: one request each (attack protection
		// three), and one per trigger for its bindings.
		providertest.Auth0ClientGrantsPath:     1,
		providertest.Auth0TriggersPath:         1,
		providertest.Auth0CustomDomainsPath:    1,
		providertest.Auth0LogStreamsPath:       1,
		providertest.Auth0BruteForcePath:       1,
		providertest.Auth0BreachedPasswordPath: 1,
		providertest.Auth0SuspiciousIPPath:     1,
		providertest.Auth0SigningKeysPath:      1,
		providertest.Auth0OrganizationsPath:    1,
		providertest.Auth0PromptsPath:          1,
		providertest.Auth0BrandingPath:         1,
		providertest.Auth0EmailProviderPath:    1,
		providertest.Auth0GuardianFactorsPath:  1,
		providertest.Auth0LogsPath:             1, // no checkpoint yet: one search page
	}
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		for _, tr := range tn.Triggers {
			want[providertest.Auth0BindingsPath(tr["id"].(string))] = 1
		}
	})
	total := 0
	for path, n := range want {
		if got := sim.Requests(path); got != n {
			t.Errorf("requests to %s = %d, want %d", path, got, n)
		}
		total += n
	}
	if res.Requests != total {
		t.Errorf("Result.Requests = %d, want %d", res.Requests, total)
	}
	var pages []string
	for _, q := range sim.Queries(providertest.Auth0ClientsPath) {
		v, _ := url.ParseQuery(q)
		if v.Get("per_page") != "100" || v.Get("include_totals") != "true" {
			t.Errorf("clients query %q: want per_page=100&include_totals=true", q)
		}
		pages = append(pages, v.Get("page"))
	}
	if !slices.Equal(pages, []string{"0", "1"}) {
		t.Errorf("clients pages = %v, want [0 1]", pages)
	}
	if res.RateRemaining < 0 {
		t.Errorf("RateRemaining = %d, want the last x-ratelimit-remaining", res.RateRemaining)
	}

	doc := res.Doc.(map[string]any)
	clients := doc["clients"].(map[string]any)
	if len(clients) != 130 {
		t.Fatalf("document has %d clients, want 130", len(clients))
	}
	// Two recorded clients share the name "fedcm-F1-repro": each is keyed
	// with its client_id.
	for _, k := range []string{"fedcm-F1-repro (Oy2zkkRwKvt3hGHJJgOZMcUU8BXcO20k)", "fedcm-F1-repro (tRUHdXusSlo61DSfR3nYj325ESzuLJkc)"} {
		if _, ok := clients[k]; !ok {
			t.Errorf("no client keyed %q", k)
		}
	}
	if _, ok := clients["fedcm-F1-repro"]; ok {
		t.Error("a shared name is also a key on its own")
	}
	for _, k := range []string{"tenant", "clients", "connections", "resource_servers", "actions", "rules", "hooks"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("document lacks %q", k)
		}
	}
	if _, ok := doc["missing_scopes"]; ok {
		t.Error("missing_scopes set although connections came with options")
	}
	if _, err := diff.Canonical(doc, diff.Options{Sets: auth0.Sets}); err != nil {
		t.Fatalf("document does not canonicalise: %v", err)
	}
}

func TestFetchShapesTheDocument(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{})
	res := fetch(t, newProvider(t, sim, nil), watcher.FetchState{})
	_, doc := stored(t, res.Doc)

	// enabled_clients name clients; an id no client has stays an id.
	ec := stringsAt(t, doc, "/connections/Username-Password-Authentication/enabled_clients")
	for _, want := range []string{"Acme Web", "My App", "0djfY6GinbOUfybLePDjnnkqxukYS4ss"} {
		if !slices.Contains(ec, want) {
			t.Errorf("enabled_clients %v lacks %q", ec, want)
		}
	}
	// Scopes are keyed by value.
	if _, ok := diff.Get(doc, "/resource_servers/https:~1~1periscope/scopes"); !ok {
		t.Fatal("no scopes for https://periscope")
	}
	if v, ok := diff.Get(doc, "/resource_servers/prod-api/scopes"); !ok {
		t.Error("no scopes object for prod-api")
	} else if _, isObj := v.(map[string]any); !isObj {
		t.Errorf("scopes are %T, want an object keyed by value", v)
	}
	// Action code is hashed, churn dropped, a failed build kept.
	act := "/actions/Test Action TestAccAction"
	if _, ok := diff.Get(doc, act+"/code"); ok {
		t.Error("action code stored")
	}
	if v, _ := diff.Get(doc, act+"/code_sha256"); len(v.(string)) != 64 {
		t.Errorf("code_sha256 = %v", v)
	}
	for _, gone := range []string{"/updated_at", "/created_at", "/current_version", "/deployed_version/built_at"} {
		if _, ok := diff.Get(doc, act+gone); ok {
			t.Errorf("%s kept", act+gone)
		}
	}
	if got := show(doc, act+"/status"); got != "failed" {
		t.Errorf("failed build status = %q, want kept", got)
	}
	if got := show(doc, act+"/deployed_version/runtime"); got != "node18-actions" {
		t.Errorf("deployed_version.runtime = %q", got)
	}
	if _, ok := diff.Get(doc, "/rules/test-rule656/script_sha256"); !ok {
		t.Error("rule script not hashed")
	}
	// Secrets are markers; flags that merely mention a word stay.
	for path, want := range map[string]string{
		"/clients/Acme Web/client_secret":                                      auth0.Redacted,
		"/clients/Acme Web/signing_keys":                                       auth0.Redacted,
		"/connections/google-oauth2/options/client_secret":                     auth0.Redacted,
		"/connections/sms/options/twilio_token":                                auth0.Redacted,
		"/resource_servers/https:~1~1periscope~1hs256/signing_secret":          auth0.Redacted,
		"/clients/Acme Web/jwt_configuration/secret_encoded":                   "false",
		"/connections/Username-Password-Authentication/options/passwordPolicy": "good",
	} {
		if got := show(doc, path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
}

func TestFetchFailsWholeOnABadPage(t *testing.T) {
	cases := []struct {
		name, path string
		page, code int
		body, want string
	}{
		{"500 on page 2 of clients", providertest.Auth0ClientsPath, 1, 500,
			`{"statusCode":500,"error":"Internal Server Error","message":"boom"}`, "list clients page=1"},
		{"HTML on page 2", providertest.Auth0ClientsPath, 1, 200,
			"<html><body>Service Unavailable</body></html>", "instead of JSON"},
		{"truncated JSON", providertest.Auth0ClientsPath, 1, 200, `{"start":100,"limit":100,"total":130,"clients":[{"name":`, "invalid JSON"},
		{"error object instead of the envelope", providertest.Auth0ClientsPath, 1, 200,
			`{"statusCode":400,"error":"Bad Request","message":"Query validation error"}`, "error object"},
		{"502 gateway page", providertest.Auth0ResourceServersPath, 0, 502, "<html>Bad Gateway</html>", "HTTP 502"},
		{"connections checkpoint page 2", providertest.Auth0ConnectionsPath, 1, 503, `{"statusCode":503}`, "list connections checkpoint page 2"},
		{"tenant settings array", providertest.Auth0SettingsPath, 0, 200, `[]`, "not an object"},
		{"optional endpoint 500", providertest.Auth0ActionsPath, 0, 500, `{}`, "list actions"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sim := newSim(t, providertest.Auth0Options{Clients: 130, Connections: 150})
			sim.FailNext(c.path, c.page, c.code, c.body)
			res, err := newProvider(t, sim, nil).Fetch(context.Background(), watcher.FetchState{})
			if err == nil {
				t.Fatal("Fetch succeeded; want an error and no document")
			}
			if res != nil {
				t.Errorf("Fetch returned a result with its error: %+v", res)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "auth0: ") {
				t.Errorf("error %q does not say %q", err, c.want)
			}
		})
	}
}

// TestFetchFailsWhenPagesContradictTheTotal: an empty clients page in the
// middle of a listing of 258 once stored 100 clients and opened 158 false
// client_removed findings. A listing that does not add up stores nothing.
func TestFetchFailsWhenPagesContradictTheTotal(t *testing.T) {
	page := func(start, total int, ids ...string) string {
		var items []string
		for _, id := range ids {
			items = append(items, `{"client_id":"`+id+`","name":"`+id+`"}`)
		}
		return fmt.Sprintf(`{"start":%d,"limit":100,"length":0,"total":%d,"clients":[%s]}`, start, total, strings.Join(items, ","))
	}
	cases := []struct {
		name, body, want string
		page             int
	}{
		{"empty page mid-list", page(100, 258), "an empty page after 100 of 258", 1},
		{"repeated id", page(100, 258, "dup-1", "dup-1"), `item "dup-1" listed twice`, 1},
		{"total changes", page(100, 300, "c-x"), "the total changed from 258 to 300", 1},
		{"more than the total", page(0, 2, "a", "b", "c"), "3 items read, more than the total of 2", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sim := newSim(t, providertest.Auth0Options{Clients: 258})
			sim.FailNext(providertest.Auth0ClientsPath, c.page, 200, c.body)
			res, err := newProvider(t, sim, nil).Fetch(context.Background(), watcher.FetchState{})
			if err == nil || res != nil {
				t.Fatalf("Fetch = %v, %v; want an error and no document", res, err)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "list clients") {
				t.Errorf("error %q does not say %q", err, c.want)
			}
		})
	}
}

func TestFetchReadsExactlyTheTotal(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{Clients: 258})
	res := fetch(t, newProvider(t, sim, nil), watcher.FetchState{})
	if n := len(res.Doc.(map[string]any)["clients"].(map[string]any)); n != 258 {
		t.Errorf("clients = %d, want 258", n)
	}
	if got := sim.Requests(providertest.Auth0ClientsPath); got != 3 {
		t.Errorf("clients requests = %d, want 3 pages", got)
	}
}

func TestFetchNamesTheMissingScope(t *testing.T) {
	for path, scope := range map[string]string{
		providertest.Auth0SettingsPath:        "read:tenant_settings",
		providertest.Auth0ClientsPath:         "read:clients",
		providertest.Auth0ConnectionsPath:     "read:connections",
		providertest.Auth0ResourceServersPath: "read:resource_servers",
	} {
		t.Run(scope, func(t *testing.T) {
			sim := newSim(t, providertest.Auth0Options{})
			sim.Mutate(func(tn *providertest.Auth0Tenant) { tn.Status[path] = 403 })
			_, err := newProvider(t, sim, nil).Fetch(context.Background(), watcher.FetchState{})
			if err == nil || !strings.Contains(err.Error(), scope) || !strings.Contains(err.Error(), "HTTP 403") {
				t.Fatalf("error = %v, want one naming %s", err, scope)
			}
		})
	}
}

func TestFetchLeavesOutOptionalEndpoints(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{})
	sim.Mutate(func(tn *providertest.Auth0Tenant) {
		tn.Status[providertest.Auth0ActionsPath] = 403
		tn.Status[providertest.Auth0RulesPath] = 404
		tn.Status[providertest.Auth0HooksPath] = 403
	})
	logger, logs := debugLogger()
	res := fetch(t, newProvider(t, sim, logger), watcher.FetchState{})
	doc := res.Doc.(map[string]any)
	for _, k := range []string{"actions", "rules", "hooks"} {
		if _, ok := doc[k]; ok {
			t.Errorf("document has %q although its endpoint was refused", k)
		}
	}
	if n := strings.Count(logs.String(), "optional endpoint unavailable"); n != 3 {
		t.Errorf("%d log lines about unavailable endpoints, want 3:\n%s", n, logs)
	}
}

func TestFetchRetriesAfterRetryAfterOne(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{Clients: 130})
	sim.RateLimitNext(providertest.Auth0ClientsPath, "1")
	p := newProvider(t, sim, nil)
	p.MinBackoff = time.Second // the production default
	var waits []time.Duration
	p.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	res := fetch(t, p, watcher.FetchState{})
	if len(waits) == 0 || waits[0] != time.Second {
		t.Errorf("waits = %v, want the 1s that Retry-After asked for first", waits)
	}
	if got := sim.Requests(providertest.Auth0ClientsPath); got != 3 {
		t.Errorf("clients requests = %d, want 3 (a 429, then both pages)", got)
	}
	if n := len(res.Doc.(map[string]any)["clients"].(map[string]any)); n != 130 {
		t.Errorf("clients = %d, want 130", n)
	}
}

func TestFetchRateLimitWithoutRetryAfter(t *testing.T) {
	// A reset naming the current second gives a zero wait: the minimum
	// backoff applies.
	sim := newSim(t, providertest.Auth0Options{})
	sim.RateLimitNext(providertest.Auth0ConnectionsPath, "")
	res := fetch(t, newProvider(t, sim, nil), watcher.FetchState{})
	if res.Doc == nil || sim.Requests(providertest.Auth0ConnectionsPath) != 2 {
		t.Errorf("connections requests = %d, want 2", sim.Requests(providertest.Auth0ConnectionsPath))
	}
}

func TestFetchGivesUpAfterRepeated429(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{})
	for range 4 {
		sim.RateLimitNext(providertest.Auth0SettingsPath, "0")
	}
	p := newProvider(t, sim, nil)
	p.MaxRetries = 3
	res, err := p.Fetch(context.Background(), watcher.FetchState{})
	var ra *watcher.RetryAfterError
	if !errors.As(err, &ra) || res != nil {
		t.Fatalf("err = %v, want a *watcher.RetryAfterError and no result", err)
	}
	if got := sim.Requests(providertest.Auth0SettingsPath); got != 4 {
		t.Errorf("settings requests = %d, want 4 (1 + 3 retries)", got)
	}
	// A Retry-After beyond MaxWait ends the fetch at once, for the engine
	// to reschedule.
	sim.RateLimitNext(providertest.Auth0SettingsPath, "120")
	if _, err := p.Fetch(context.Background(), watcher.FetchState{}); !errors.As(err, &ra) || ra.After != 120*time.Second {
		t.Fatalf("err = %v, want retry after 2m0s", err)
	}
}

func TestFetchPacesByRemainingBudget(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{RateLimit: 2})
	logger, logs := debugLogger()
	p := newProvider(t, sim, logger)
	p.MaxWait = 20 * time.Millisecond // bound the waits the test sits through
	res := fetch(t, p, watcher.FetchState{})
	if !strings.Contains(logs.String(), "rate-limit budget low") {
		t.Errorf("no pause logged with a budget of 2 a second:\n%s", logs)
	}
	if res.RateRemaining != 0 && res.RateRemaining != 1 {
		t.Errorf("RateRemaining = %d, want the last reported value (0 or 1)", res.RateRemaining)
	}
}

func TestFetchTokenFailures(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{})
	cases := map[string]auth0.Config{
		"wrong secret": {Domain: sim.Domain(), BaseURL: sim.URL(), ClientID: sim.ClientID(), ClientSecret: providertest.Auth0SecretMarker + "-wrong"},
		"wrong client": {Domain: sim.Domain(), BaseURL: sim.URL(), ClientID: "nope", ClientSecret: sim.ClientSecret()},
		"wrong tenant": {Domain: "other.eu.auth0.com", BaseURL: sim.URL(), ClientID: sim.ClientID(), ClientSecret: sim.ClientSecret()},
		"no server":    {Domain: sim.Domain(), BaseURL: "http://127.0.0.1:1", ClientID: sim.ClientID(), ClientSecret: sim.ClientSecret()},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			before := sim.Requests(providertest.Auth0SettingsPath)
			p, err := auth0.New(cfg, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Fetch(context.Background(), watcher.FetchState{})
			if err == nil || !strings.HasPrefix(err.Error(), "auth0: get token: ") {
				t.Fatalf("error = %v, want a token error", err)
			}
			if name != "no server" && !strings.Contains(err.Error(), "check client_id_env/client_secret_env") {
				t.Fatalf("error = %v, want a clear token error", err)
			}
			if strings.Contains(err.Error(), cfg.ClientSecret) {
				t.Errorf("error carries the client secret: %v", err)
			}
			if sim.Requests(providertest.Auth0SettingsPath) != before {
				t.Error("API called without a token")
			}
		})
	}
}

func TestNewValidates(t *testing.T) {
	for name, cfg := range map[string]auth0.Config{
		"no domain":    {ClientID: "a", ClientSecret: "b"},
		"domain url":   {Domain: "https://acme.auth0.com", ClientID: "a", ClientSecret: "b"},
		"no client id": {Domain: "acme.auth0.com", ClientSecret: "b"},
		"no secret":    {Domain: "acme.auth0.com", ClientID: "a"},
		"bad base url": {Domain: "acme.auth0.com", ClientID: "a", ClientSecret: "b", BaseURL: "ftp://x"},
	} {
		if _, err := auth0.New(cfg, nil, nil); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
}

func stringsAt(tb testing.TB, doc any, path string) []string {
	tb.Helper()
	v, ok := diff.Get(doc, path)
	if !ok {
		tb.Fatalf("nothing at %s", path)
	}
	var out []string
	for _, e := range v.([]any) {
		out = append(out, e.(string))
	}
	return out
}

// show renders the value at path: strings as is, anything else as JSON.
func show(doc any, path string) string {
	v, ok := diff.Get(doc, path)
	if !ok {
		return "(absent)"
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := diff.Canonical(v, diff.Options{})
	return string(b)
}

func TestFetchFailsOnAnIdListedTwiceAcrossCheckpoints(t *testing.T) {
	sim := newSim(t, providertest.Auth0Options{})
	sim.FailNext(providertest.Auth0ConnectionsPath, -1, 200, `{"connections":[{"id":"con_1","name":"a"}],"next":"p2"}`)
	sim.FailNext(providertest.Auth0ConnectionsPath, -1, 200, `{"connections":[{"id":"con_1","name":"a"}]}`)
	res, err := newProvider(t, sim, nil).Fetch(context.Background(), watcher.FetchState{})
	if err == nil || res != nil || !strings.Contains(err.Error(), `item "con_1" listed twice`) {
		t.Fatalf("Fetch = %v, %v; want the duplicate refused", res, err)
	}
}
