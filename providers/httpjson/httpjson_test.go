package httpjson_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/driftwatch/driftwatch/providers/httpjson"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// Secrets the tests configure; none may appear in an error.
const (
	password = "pa55w0rd"
	token    = "s3cr3t-t0ken"
	apiKey   = "k3y-0f-the-api"
)

var secrets = []string{password, token, apiKey}

// setup serves h and returns a provider for its /status endpoint, with
// credentials in the URL, a token in the query and a secret header.
func setup(t *testing.T, h http.HandlerFunc) (*httpjson.Provider, *httptest.Server, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	raw := "http://ops:" + password + "@" + u.Host + "/status?token=" + token
	p, err := httpjson.New(httpjson.Config{Name: "orders-db", URL: raw, Headers: map[string]string{"X-Api-Key": apiKey}},
		polite.NewClient(nil, 2*time.Second), nil)
	if err != nil {
		t.Fatal(err)
	}
	return p, srv, raw
}

func noSecrets(t *testing.T, err error) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error leaks a secret: %v", err)
		}
	}
}

func TestFetch(t *testing.T) {
	var got http.Header
	p, _, raw := setup(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Mon, 02 Nov 2026 09:00:00 GMT")
		w.Write([]byte(`{"plan": "standard", "metrics": {"cpu_percent": 97.5, "connections": 12}, "replicas": [1, 2], "ok": true, "note": null}`))
	})
	res, err := p.Fetch(context.Background(), watcher.FetchState{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"plan": "standard", "ok": true, "note": nil, "replicas": []any{json.Number("1"), json.Number("2")},
		"metrics": map[string]any{"cpu_percent": json.Number("97.5"), "connections": json.Number("12")}}
	if diff := cmp.Diff(want, res.Doc); diff != "" || res.Unchanged {
		t.Errorf("Doc (-want +got):\n%s", diff)
	}
	if v, ok := res.State.Get(raw); !ok || v.ETag != `"v1"` || v.LastModified != "Mon, 02 Nov 2026 09:00:00 GMT" {
		t.Errorf("validators = %+v", res.State)
	}
	if res.Requests != 1 || res.RateRemaining != -1 {
		t.Errorf("requests %d, rate %d", res.Requests, res.RateRemaining)
	}
	user, pass, ok := (&http.Request{Header: got}).BasicAuth()
	if got.Get("Accept") != "application/json" || got.Get("X-Api-Key") != apiKey || !strings.HasPrefix(got.Get("User-Agent"), "driftwatch") ||
		!ok || user != "ops" || pass != password {
		t.Errorf("request headers = %v", got)
	}
}

func TestFetchNotModified(t *testing.T) {
	var inm, ims string
	p, _, raw := setup(t, func(w http.ResponseWriter, r *http.Request) {
		inm, ims = r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
		w.WriteHeader(http.StatusNotModified)
	})
	prev := watcher.FetchState{}
	v := watcher.Validator{ETag: `W/"abc"`, LastModified: "Mon, 02 Nov 2026 09:00:00 GMT"}
	prev.Set(raw, v)
	res, err := p.Fetch(context.Background(), prev)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Unchanged || res.Doc != nil || res.Requests != 1 {
		t.Errorf("result = %+v", res)
	}
	if inm != v.ETag || ims != v.LastModified {
		t.Errorf("sent If-None-Match %q, If-Modified-Since %q", inm, ims)
	}
	if got, _ := res.State.Get(raw); got != v {
		t.Errorf("validators after 304 = %+v, want them kept", got)
	}
}

func TestFetchErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ctype string
		code  int
		body  string
		want  []string
		is    error
	}{
		{"Err500", "text/plain", 500, "database is on fire\n" + strings.Repeat("x", 500), []string{"HTTP 500", "database is on fire", "/status"}, nil},
		{"Err404", "application/json", 404, `{"error": "no such resource"}`, []string{"HTTP 404", "no such resource"}, nil},
		{"ErrHTML", "text/html", 200, "<!doctype html><html><body>Please log in</body></html>", []string{"not a whole JSON document", "text/html", "Please log in"}, nil},
		{"ErrTruncated", "application/json", 200, `{"metrics": {"cpu_percent": 9`, []string{"not a whole JSON document", "unexpected EOF"}, nil},
		{"ErrTrailing", "application/json", 200, `{"a": 1} {"b": 2}`, []string{"not a whole JSON document", "after the document"}, nil},
		{"ErrEmpty", "", 200, "", []string{"not a whole JSON document", "no content type"}, nil},
		{"ErrNullBodyIsNamed", "application/json", 200, " null\n", []string{"the body is JSON null, not a document", "nothing stored"}, nil},
		{"ErrTooLarge", "application/json", 200, `[` + strings.Repeat(`"x",`, polite.MaxBody/4) + `"x"]`, []string{"too large"}, polite.ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.ctype != "" {
					w.Header().Set("Content-Type", tc.ctype)
				}
				w.WriteHeader(tc.code)
				w.Write([]byte(tc.body))
			})
			res, err := p.Fetch(context.Background(), watcher.FetchState{})
			if err == nil || res != nil {
				t.Fatalf("Fetch = %+v, %v; want an error", res, err)
			}
			msg := err.Error()
			for _, w := range append(tc.want, "http_json: ") {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			if len(msg) > 600 {
				t.Errorf("error is %d bytes long: the body must be cut", len(msg))
			}
			noSecrets(t, err)
		})
	}
}

func TestFetchNonUTF8(t *testing.T) {
	p, _, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=iso-8859-1")
		w.Write([]byte("{\"city\": \"K\xf6ln\", \"caf\xe9\": 1}"))
	})
	res, err := p.Fetch(context.Background(), watcher.FetchState{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"city": "K\uFFFDln", "caf\uFFFD": json.Number("1")}
	if diff := cmp.Diff(want, res.Doc); diff != "" {
		t.Errorf("Doc (-want +got):\n%s", diff)
	}
}

func TestFetchTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // a stalled upstream
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	raw := strings.Replace(srv.URL, "http://", "http://ops:"+password+"@", 1) + "/slow?token=" + token
	p, err := httpjson.New(httpjson.Config{Name: "slow", URL: raw}, polite.NewClient(nil, 100*time.Millisecond), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Fetch(context.Background(), watcher.FetchState{})
	var te interface{ Timeout() bool }
	if err == nil || !errors.As(err, &te) || !te.Timeout() || !strings.Contains(err.Error(), "/slow") {
		t.Fatalf("Fetch = %v, want a timeout naming the endpoint", err)
	}
	noSecrets(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Fetch(ctx, watcher.FetchState{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch on a canceled context = %v", err)
	}
}

// TestFetchRedirectKeepsSecretHeadersHome: the configured headers carry
// secrets; a redirect to another host must not receive them.
func TestFetchRedirectKeepsSecretHeadersHome(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]http.Header{}
	record := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen[name] = r.Header.Clone()
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok": true}`))
		}
	}
	other := httptest.NewServer(record("other"))
	defer other.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/landing", http.StatusFound)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/home", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/home", record("home"))
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	home := httptest.NewServer(mux)
	defer home.Close()

	loop, err := httpjson.New(httpjson.Config{Name: "loop", URL: home.URL + "/loop"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loop.Fetch(context.Background(), watcher.FetchState{}); err == nil || !strings.Contains(err.Error(), "stopped after 10 redirects") {
		t.Errorf("redirect loop: %v", err)
	}

	for _, path := range []string{"/away", "/moved"} {
		p, err := httpjson.New(httpjson.Config{Name: "r", URL: home.URL + path,
			Headers: map[string]string{"X-Api-Key": apiKey, "Authorization": "Bearer " + token}}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Fetch(context.Background(), watcher.FetchState{}); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if h := seen["other"]; h == nil || h.Get("X-Api-Key") != "" || h.Get("Authorization") != "" {
		t.Errorf("another host received the secret headers: %v", h)
	}
	if h := seen["home"]; h == nil || h.Get("X-Api-Key") != apiKey || h.Get("Authorization") != "Bearer "+token {
		t.Errorf("a redirect on the same host lost the headers: %v", h)
	}
}

func TestNew(t *testing.T) {
	for _, raw := range []string{"ftp://ops:" + password + "@example.com/x", "example.com/status?token=" + token, "://bad", ""} {
		_, err := httpjson.New(httpjson.Config{Name: "x", URL: raw}, nil, nil)
		if err == nil || !strings.HasPrefix(err.Error(), "http_json: url ") {
			t.Errorf("New(%q) = %v, want an error", raw, err)
			continue
		}
		noSecrets(t, err)
	}
	if got := polite.SafeURL("https://ops:" + password + "@api.example.com:8443/v1/db?token=" + token + "#frag"); got != "https://api.example.com:8443/v1/db" {
		t.Errorf("SafeURL = %q", got)
	}
}

// A JSON endpoint that returns secrets has them redacted before anything
// stores them: by name, by value, and at the pointers the user lists.
func TestFetchRedacts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"plan": "basic", "api_token": "tok-live-0123456789", "passwordPolicy": "strict",
		  "nodes": [{"name": "a", "join_code": "J0IN-AAAA"}, {"name": "b", "join_code": "J0IN-BBBB"}],
		  "db": {"dsn": "postgres://app:dbpass99@db:5432/orders", "max_connections": 100, "password_set": true},
		  "webhook": {"url": "https://hooks.example.com/x?sig=s1gnature"},
		  "alerts": {"slack": "https://hooks.slack.com/services/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",
		    "chat": "https://chat.acme.io/hooks/xr3j5x3p4pgdtbi4ej5ew6mf1w", "docs": "https://docs.acme.io/alerts/webhooks"}}`))
	}))
	defer srv.Close()
	p, err := httpjson.New(httpjson.Config{Name: "svc", URL: srv.URL + "/status", Redact: []string{"/nodes/*/join_code", "/db/dsn"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Fetch(context.Background(), watcher.FetchState{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res.Doc)
	for _, leak := range []string{"tok-live-0123456789", "J0IN-AAAA", "J0IN-BBBB", "dbpass99", "s1gnature", "Zq8xWm3Lk9Pq2Rt7Yv5Nb1Hc", "xr3j5x3p4pgdtbi4ej5ew6mf1w"} {
		if strings.Contains(string(b), leak) {
			t.Errorf("document holds %q: %s", leak, b)
		}
	}
	for _, kept := range []string{`"plan":"basic"`, `"passwordPolicy":"strict"`, `"max_connections":100`, `"password_set":true`, `"name":"b"`,
		`"slack":"https://hooks.slack.com/services/[redacted]"`, `"docs":"https://docs.acme.io/alerts/webhooks"`} {
		if !strings.Contains(string(b), kept) {
			t.Errorf("document lost %s: %s", kept, b)
		}
	}
	if _, err := httpjson.New(httpjson.Config{Name: "svc", URL: srv.URL, Redact: []string{"nope"}}, nil, nil); err == nil {
		t.Error("a redact entry that is no pointer is accepted")
	}
}

// Real recorded bodies that carry credentials, served as JSON endpoints:
// the shared policy redacts every credential and keeps every setting.
func TestRecordedSecretBearingBodies(t *testing.T) {
	cases := []struct {
		file         string
		secrets      []string
		kept, marker []string
	}{
		{"auth0/log_stream_http_secret.terraform.json", []string{"AKIAXXXXXXXXXXXXXXXX"},
			[]string{`"httpContentFormat":"JSONLINES"`, `"httpEndpoint":"https://example.com/webhook/logs"`, `"status":"active"`},
			[]string{`"httpAuthorization":"[redacted]"`}},
		{"auth0/email_provider_ses_request.terraform.json", []string{"AKIAXXXXXXXXXXXXXXXX", "7e8c2148xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
			[]string{`"region":"us-east-1"`, `"enabled":true`, `"default_from_address":"accounts@example.com"`},
			[]string{`"secretAccessKey":"[redacted]"`}},
		{"auth0/email_provider_mailgun_request.terraform.json", []string{"MAILGUNXXXXXXXXXXXXXXX"},
			[]string{`"region":"eu"`, `"domain":"example.com"`},
			[]string{`"api_key":"[redacted]"`}},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(providertest.MustRead(strings.TrimPrefix(r.URL.Path, "/")))
	}))
	defer srv.Close()
	for _, c := range cases {
		p, err := httpjson.New(httpjson.Config{Name: "recorded", URL: srv.URL + "/" + c.file}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Fetch(context.Background(), watcher.FetchState{})
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		b, _ := json.Marshal(res.Doc)
		for _, s := range c.secrets {
			if strings.Contains(string(b), s) {
				t.Errorf("%s: document holds %q: %s", c.file, s, b)
			}
		}
		for _, k := range append(c.kept, c.marker...) {
			if !strings.Contains(string(b), k) {
				t.Errorf("%s: document lacks %s: %s", c.file, k, b)
			}
		}
	}
}
