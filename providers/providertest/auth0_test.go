package providertest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

// auth0Token gets a token with a form body, as the docs' curl example.
func auth0Token(t *testing.T, a *providertest.Auth0) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {a.ClientID()},
		"client_secret": {a.ClientSecret()}, "audience": {"https://" + a.Domain() + "/api/v2/"}}
	resp, err := http.PostForm(a.URL()+providertest.Auth0TokenPath, form)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	decodeAuth0(t, resp, http.StatusOK, &body)
	if body["token_type"] != "Bearer" || body["expires_in"] != float64(86400) || body["access_token"] == "" {
		t.Fatalf("token answer = %v", body)
	}
	return body["access_token"].(string)
}

func decodeAuth0(t *testing.T, resp *http.Response, status int, v any) {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func getAuth0(t *testing.T, a *providertest.Auth0, token, pathQuery string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.URL()+pathQuery, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestAuth0Token(t *testing.T) {
	a := providertest.NewAuth0(providertest.Auth0Options{})
	defer a.Close()
	auth0Token(t, a)

	aud := "https://" + a.Domain() + "/api/v2/"
	post := func(ct string, body string, basic bool) int {
		req, _ := http.NewRequest(http.MethodPost, a.URL()+providertest.Auth0TokenPath, strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		if basic {
			req.SetBasicAuth(a.ClientID(), a.ClientSecret())
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	js, _ := json.Marshal(map[string]string{"grant_type": "client_credentials", "client_id": a.ClientID(),
		"client_secret": a.ClientSecret(), "audience": aud})
	form := "grant_type=client_credentials&audience=" + url.QueryEscape(aud)
	for name, c := range map[string]struct {
		ct, body string
		basic    bool
		want     int
	}{
		"JSON body":      {"application/json", string(js), false, 200},
		"basic auth":     {"application/x-www-form-urlencoded", form, true, 200},
		"no credentials": {"application/x-www-form-urlencoded", form, false, 401},
		"wrong audience": {"application/json", strings.Replace(string(js), a.Domain(), "other.auth0.com", 1), false, 403},
		"wrong grant":    {"application/json", strings.Replace(string(js), "client_credentials", "password", 1), false, 400},
	} {
		if got := post(c.ct, c.body, c.basic); got != c.want {
			t.Errorf("%s: status %d, want %d", name, got, c.want)
		}
	}
	if got := a.Requests(providertest.Auth0TokenPath); got != 6 {
		t.Errorf("token requests = %d, want 6", got)
	}
}

func TestAuth0BearerCheck(t *testing.T) {
	a := providertest.NewAuth0(providertest.Auth0Options{})
	defer a.Close()
	var e map[string]any
	decodeAuth0(t, getAuth0(t, a, "", providertest.Auth0ClientsPath), http.StatusUnauthorized, &e)
	decodeAuth0(t, getAuth0(t, a, "forged", providertest.Auth0ClientsPath), http.StatusUnauthorized, &e)
	if e["statusCode"] != float64(401) || e["message"] == "" {
		t.Errorf("error body = %v, want Auth0's error object", e)
	}
}

func TestAuth0OffsetPaging(t *testing.T) {
	a := providertest.NewAuth0(providertest.Auth0Options{Clients: 130})
	defer a.Close()
	tok := auth0Token(t, a)

	var env struct {
		Start, Limit, Length, Total int
		Next                        *string
		Clients                     []map[string]any
	}
	ids := map[string]bool{}
	for page, want := range []int{100, 30, 0} {
		decodeAuth0(t, getAuth0(t, a, tok, providertest.Auth0ClientsPath+"?include_totals=true&per_page=100&page="+strconv.Itoa(page)), 200, &env)
		if len(env.Clients) != want || env.Total != 130 || env.Start != min(page*100, 130) || env.Limit != 100 || env.Length != 0 || env.Next == nil {
			t.Fatalf("page %d: start=%d limit=%d length=%d total=%d clients=%d", page, env.Start, env.Limit, env.Length, env.Total, len(env.Clients))
		}
		for _, c := range env.Clients {
			id := c["client_id"].(string)
			if ids[id] {
				t.Errorf("client_id %s served twice", id)
			}
			ids[id] = true
			if s, _ := c["client_secret"].(string); !strings.HasPrefix(s, providertest.Auth0SecretMarker) {
				t.Errorf("client %v has secret %q, want the marker", c["name"], s)
			}
		}
	}
	var bare []map[string]any
	decodeAuth0(t, getAuth0(t, a, tok, providertest.Auth0ClientsPath), 200, &bare)
	if len(bare) != 50 {
		t.Errorf("without include_totals: %d clients, want a bare array of 50", len(bare))
	}
	var e map[string]any
	decodeAuth0(t, getAuth0(t, a, tok, providertest.Auth0ClientsPath+"?per_page=101"), 400, &e)

	var actions map[string]any
	decodeAuth0(t, getAuth0(t, a, tok, providertest.Auth0ActionsPath+"?include_totals=true&per_page=100&page=0"), 200, &actions)
	for _, k := range []string{"total", "per_page", "page", "actions"} {
		if _, ok := actions[k]; !ok {
			t.Errorf("actions envelope lacks %q: %v", k, keysOf(actions))
		}
	}
	var rules map[string]any
	decodeAuth0(t, getAuth0(t, a, tok, providertest.Auth0RulesPath+"?include_totals=true&per_page=100&page=0"), 200, &rules)
	for _, k := range []string{"total", "start", "limit", "rules"} {
		if _, ok := rules[k]; !ok {
			t.Errorf("rules envelope lacks %q", k)
		}
	}
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestAuth0CheckpointPaging(t *testing.T) {
	a := providertest.NewAuth0(providertest.Auth0Options{Connections: 250, OmitConnectionOptions: true})
	defer a.Close()
	tok := auth0Token(t, a)
	var pages []int
	names := map[string]bool{}
	from := ""
	for i := 0; i < 10; i++ {
		q := "?take=100"
		if from != "" {
			q += "&from=" + url.QueryEscape(from)
		}
		var env map[string]any
		decodeAuth0(t, getAuth0(t, a, tok, providertest.Auth0ConnectionsPath+q), 200, &env)
		conns := env["connections"].([]any)
		pages = append(pages, len(conns))
		for _, c := range conns {
			m := c.(map[string]any)
			names[m["name"].(string)] = true
			if _, ok := m["options"]; ok {
				t.Fatal("options served although omitted")
			}
		}
		next, ok := env["next"].(string)
		if !ok {
			break
		}
		from = next
	}
	if len(pages) != 3 || pages[0] != 100 || pages[2] != 50 || len(names) != 250 {
		t.Errorf("pages %v, %d distinct names; want [100 100 50], 250", pages, len(names))
	}
	var e map[string]any
	decodeAuth0(t, getAuth0(t, a, tok, providertest.Auth0ConnectionsPath+"?take=101"), 400, &e)
	decodeAuth0(t, getAuth0(t, a, tok, providertest.Auth0ConnectionsPath+"?take=10&from=%25%25"), 400, &e)
	decodeAuth0(t, getAuth0(t, a, tok, providertest.Auth0ConnectionsPath+"?page=20&per_page=50"), 400, &e)
}

func TestAuth0FaultsAndHeaders(t *testing.T) {
	a := providertest.NewAuth0(providertest.Auth0Options{Clients: 130, RateLimit: 2})
	defer a.Close()
	tok := auth0Token(t, a)

	a.RateLimitNext(providertest.Auth0ClientsPath, "1")
	resp := getAuth0(t, a, tok, providertest.Auth0ClientsPath)
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" || resp.Header.Get("X-Ratelimit-Remaining") != "0" ||
		resp.Header.Get("X-Ratelimit-Reset") == "" {
		t.Errorf("429: status %d, headers %v", resp.StatusCode, resp.Header)
	}

	a.FailNext(providertest.Auth0ClientsPath, 1, 500, "<html>oops</html>")
	ok := getAuth0(t, a, tok, providertest.Auth0ClientsPath+"?page=0&per_page=100")
	ok.Body.Close()
	if ok.StatusCode != 200 || ok.Header.Get("X-Ratelimit-Limit") != "2" {
		t.Errorf("page 0 hit by a page-1 fault or lacks rate headers: %d %v", ok.StatusCode, ok.Header)
	}
	bad := getAuth0(t, a, tok, providertest.Auth0ClientsPath+"?page=1&per_page=100")
	b := new(bytes.Buffer)
	_, _ = b.ReadFrom(bad.Body)
	bad.Body.Close()
	if bad.StatusCode != 500 || !strings.HasPrefix(bad.Header.Get("Content-Type"), "text/html") || b.String() != "<html>oops</html>" {
		t.Errorf("fault: %d %s %q", bad.StatusCode, bad.Header.Get("Content-Type"), b)
	}

	a.Mutate(func(tn *providertest.Auth0Tenant) { tn.Status[providertest.Auth0HooksPath] = 404 })
	h := getAuth0(t, a, tok, providertest.Auth0HooksPath)
	h.Body.Close()
	if h.StatusCode != 404 {
		t.Errorf("forced status: %d", h.StatusCode)
	}
	if got := len(a.Queries(providertest.Auth0ClientsPath)); got != 3 || a.Requests(providertest.Auth0ClientsPath) != 3 {
		t.Errorf("clients requests counted %d", got)
	}
}

func TestAuth0TenantHelpers(t *testing.T) {
	a := providertest.NewAuth0(providertest.Auth0Options{Clients: 3000})
	defer a.Close()
	a.Mutate(func(tn *providertest.Auth0Tenant) {
		if len(tn.Clients) != 3000 {
			t.Errorf("clients = %d, want 3000", len(tn.Clients))
		}
		web := tn.Client("Acme Web")
		if web == nil || !tn.RemoveString(web, "callbacks", "https://app.acme.com/callback") ||
			tn.RemoveString(web, "callbacks", "https://app.acme.com/callback") {
			t.Fatal("RemoveString did not remove exactly once")
		}
		tn.AddString(web, "callbacks", "https://new.acme.com/cb")
		if !tn.RemoveClient("Acme Web") || tn.Client("Acme Web") != nil {
			t.Error("RemoveClient")
		}
		if tn.Connection("Username-Password-Authentication") == nil || tn.ResourceServer("prod-api") == nil ||
			tn.Action("Test Action TestAccAction") == nil {
			t.Error("recorded items missing")
		}
	})
}
