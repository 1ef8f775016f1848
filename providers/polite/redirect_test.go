package polite_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/driftwatch/driftwatch/providers/polite"
)

// recorder is an upstream that remembers the headers and method of what
// reached it.
type recorder struct {
	*httptest.Server
	mu  sync.Mutex
	got []*http.Request
}

func newRecorder(t *testing.T, h func(w http.ResponseWriter, r *http.Request)) *recorder {
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.got = append(rec.got, r.Clone(r.Context()))
		rec.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func ok(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{}`)) }

func TestRedirectKeepsCredentialsHome(t *testing.T) {
	other := newRecorder(t, ok) // 127.0.0.1 on another port: another origin
	var home *recorder
	home = newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/landing", http.StatusTemporaryRedirect)
		case "/stay":
			http.Redirect(w, r, home.URL+"/here", http.StatusFound)
		default:
			ok(w, r)
		}
	})
	for _, hc := range []*http.Client{polite.NewClient(nil, 0), polite.Guard(&http.Client{})} {
		for _, path := range []string{"/away", "/stay"} {
			req, _ := http.NewRequest(http.MethodGet, home.URL+path+"?q=1", nil)
			req.Header.Set("Authorization", "Bearer tok-home-only")
			req.Header.Set("X-Api-Key", "key-home-only")
			req.Header.Set("Accept", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
	}
	other.mu.Lock()
	defer other.mu.Unlock()
	if len(other.got) != 2 {
		t.Fatalf("other origin saw %d requests, want the 2 redirected GETs", len(other.got))
	}
	for _, r := range other.got {
		if r.Header.Get("Authorization") != "" || r.Header.Get("X-Api-Key") != "" || r.Header.Get("Referer") != "" {
			t.Errorf("another origin got credentials or a Referer: %v", r.Header)
		}
		if r.Header.Get("Accept") != "application/json" {
			t.Errorf("a harmless header was dropped: %v", r.Header)
		}
	}
	home.mu.Lock()
	defer home.mu.Unlock()
	for _, r := range home.got {
		if r.URL.Path == "/here" && (r.Header.Get("Authorization") == "" || r.Header.Get("Referer") != "") {
			t.Errorf("same-origin redirect: Authorization %q, Referer %q", r.Header.Get("Authorization"), r.Header.Get("Referer"))
		}
	}
}

func TestPostIsNeverRedirected(t *testing.T) {
	other := newRecorder(t, ok)
	for _, status := range []int{http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		home := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/steal", status)
		})
		for _, hc := range []*http.Client{polite.NewClient(nil, 0), polite.Guard(nil)} {
			resp, err := hc.Post(home.URL+"/oauth/token", "application/x-www-form-urlencoded",
				strings.NewReader(url.Values{"client_secret": {"s3cret"}}.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != status {
				t.Errorf("POST answered %d: the caller saw %d, want the redirect itself", status, resp.StatusCode)
			}
		}
	}
	if len(other.got) != 0 {
		t.Errorf("a POST followed a redirect %d times", len(other.got))
	}
}

func TestHomeHeader(t *testing.T) {
	other := newRecorder(t, ok)
	home := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/x", http.StatusFound)
	})
	u, _ := url.Parse(home.URL)
	hc := polite.HomeHeader(polite.Guard(nil), u, "Authorization", "Bearer gh-token")
	resp, err := hc.Get(home.URL + "/repos")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := home.got[0].Header.Get("Authorization"); got != "Bearer gh-token" {
		t.Errorf("home got Authorization %q", got)
	}
	if got := other.got[0].Header.Get("Authorization"); got != "" {
		t.Errorf("another origin got Authorization %q", got)
	}
}

func TestOrigin(t *testing.T) {
	for a, b := range map[string]string{"https://Example.com/x": "https://example.com:443/y", "http://h": "http://h:80"} {
		ua, _ := url.Parse(a)
		ub, _ := url.Parse(b)
		if polite.Origin(ua) != polite.Origin(ub) {
			t.Errorf("%s and %s differ", a, b)
		}
	}
	for a, b := range map[string]string{"http://127.0.0.1:1/": "http://127.0.0.1:2/", "https://h/": "http://h/"} {
		ua, _ := url.Parse(a)
		ub, _ := url.Parse(b)
		if polite.Origin(ua) == polite.Origin(ub) {
			t.Errorf("%s and %s are the same origin", a, b)
		}
	}
}
