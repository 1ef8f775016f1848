package providertest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The Management API paths the simulated tenant serves.
const (
	Auth0TokenPath           = "/oauth/token"
	Auth0SettingsPath        = "/api/v2/tenants/settings"
	Auth0ClientsPath         = "/api/v2/clients"
	Auth0ConnectionsPath     = "/api/v2/connections"
	Auth0ResourceServersPath = "/api/v2/resource-servers"
	Auth0ActionsPath         = "/api/v2/actions/actions"
	Auth0RulesPath           = "/api/v2/rules"
	Auth0HooksPath           = "/api/v2/hooks"
)

// Auth0Options shape a simulated tenant. The zero value works.
type Auth0Options struct {
	// Domain is the tenant's identifier (the token audience is
	// https://{Domain}/api/v2/); default "driftwatch-demo.eu.auth0.com".
	Domain string
	// ClientID and ClientSecret are the Management API application's
	// credentials the token endpoint accepts; defaults are simulated values.
	ClientID, ClientSecret string
	// Clients is how many clients the tenant holds; 0 is the recorded
	// corpus pages plus the "Acme Web" demo client (40).
	Clients int
	// Connections pads the recorded 31 connections to this many.
	Connections int
	// RateLimit is the x-ratelimit-limit per second the tenant reports;
	// default 100. It is reported, not enforced: use RateLimitNext for 429s.
	RateLimit int
	// OmitConnectionOptions serves connections without options.
	OmitConnectionOptions bool
}

// Auth0 is a simulated Auth0 tenant on loopback speaking the Management
// API's wire format: client-credentials tokens, bearer checks, offset and
// checkpoint paging, rate-limit headers, and injectable faults.
type Auth0 struct {
	srv *httptest.Server
	opt Auth0Options

	mu      sync.Mutex
	tenant  *Auth0Tenant
	tokens  map[string]bool
	counts  map[string]int
	queries map[string][]string
	faults  []auth0Fault
	second  int64 // the wall second the rate window counts
	used    int
}

type auth0Fault struct {
	path       string
	page       int // -1 matches any page
	status     int
	body       string
	retryAfter string
}

// NewAuth0 starts a simulated tenant; Close it when done.
func NewAuth0(opt Auth0Options) *Auth0 {
	if opt.Domain == "" {
		opt.Domain = "driftwatch-demo.eu.auth0.com"
	}
	if opt.ClientID == "" {
		opt.ClientID = "dwSimMgmtClient0000000000000001"
	}
	if opt.ClientSecret == "" {
		opt.ClientSecret = Auth0SecretMarker + "-management-api"
	}
	if opt.RateLimit <= 0 {
		opt.RateLimit = 100
	}
	a := &Auth0{
		opt:     opt,
		tenant:  newAuth0Tenant(opt.Clients, opt.Connections),
		tokens:  map[string]bool{},
		counts:  map[string]int{},
		queries: map[string][]string{},
	}
	a.tenant.OmitConnectionOptions = opt.OmitConnectionOptions
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	return a
}

// URL is the tenant's base URL (a provider's base_url).
func (a *Auth0) URL() string { return a.srv.URL }

// Domain is the tenant's identifier, used in the token audience.
func (a *Auth0) Domain() string { return a.opt.Domain }

// ClientID is the Management API application's client id.
func (a *Auth0) ClientID() string { return a.opt.ClientID }

// ClientSecret is the Management API application's secret.
func (a *Auth0) ClientSecret() string { return a.opt.ClientSecret }

// Close stops the server.
func (a *Auth0) Close() { a.srv.Close() }

// Mutate changes the tenant between polls, under the tenant's lock.
func (a *Auth0) Mutate(f func(t *Auth0Tenant)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f(a.tenant)
}

// Requests counts the requests made to a path (e.g. Auth0ClientsPath),
// failed ones included.
func (a *Auth0) Requests(path string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.counts[path]
}

// Queries returns the raw query strings of the requests made to a path, in
// order, so a test can check which pages were read.
func (a *Auth0) Queries(path string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.queries[path]...)
}

// FailNext makes the next request for one page of a path answer status with
// body (HTML when it starts with "<"). page is the 0-based page (for
// connections: the checkpoint page's position); -1 matches any page.
func (a *Auth0) FailNext(path string, page int, status int, body string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults = append(a.faults, auth0Fault{path: path, page: page, status: status, body: body})
}

// RateLimitNext makes the next request to path answer 429 with this
// Retry-After header (none when empty) and an x-ratelimit-reset of the
// current second.
func (a *Auth0) RateLimitNext(path string, retryAfter string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults = append(a.faults, auth0Fault{path: path, page: -1, status: http.StatusTooManyRequests,
		retryAfter: retryAfter,
		body:       `{"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached","errorCode":"too_many_requests"}`})
}

func (a *Auth0) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	path := r.URL.Path
	a.counts[path]++
	a.queries[path] = append(a.queries[path], r.URL.RawQuery)
	if path == Auth0TokenPath {
		a.token(w, r)
		return
	}
	if !strings.HasPrefix(path, "/api/v2/") {
		http.NotFound(w, r)
		return
	}
	a.rateHeaders(w)
	if !a.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")] {
		auth0APIError(w, http.StatusUnauthorized, "Invalid token.", "")
		return
	}
	if r.Method != http.MethodGet {
		auth0APIError(w, http.StatusMethodNotAllowed, "Method not allowed.", "")
		return
	}
	if a.fault(w, path, auth0PageOf(r)) {
		return
	}
	if scope := auth0ScopeOf(path); scope != "" && a.tenant.Withheld[scope] {
		auth0APIError(w, http.StatusForbidden, "Insufficient scope, expected any of: "+scope, "insufficient_scope")
		return
	}
	if st := a.tenant.Status[path]; st != 0 {
		auth0APIError(w, st, http.StatusText(st), "")
		return
	}
	t := a.tenant
	switch path {
	case Auth0SettingsPath:
		auth0WriteJSON(w, http.StatusOK, t.Settings)
	case Auth0ClientsPath:
		a.offsetPage(w, r, "clients", t.Clients)
	case Auth0ConnectionsPath:
		a.connections(w, r)
	case Auth0ResourceServersPath:
		a.offsetPage(w, r, "resource_servers", t.ResourceServers)
	case Auth0ActionsPath:
		a.offsetPage(w, r, "actions", t.Actions)
	case Auth0RulesPath:
		a.offsetPage(w, r, "rules", t.Rules)
	case Auth0HooksPath:
		a.offsetPage(w, r, "hooks", t.Hooks)
	case Auth0LogsPath:
		a.logs(w, r)
	default:
		a.serveSection(w, r)
	}
}

// auth0PageOf is the page a request asks for: its page parameter, or for a
// checkpoint request the position its from token encodes.
func auth0PageOf(r *http.Request) int {
	q := r.URL.Query()
	if q.Has("take") || q.Has("from") {
		off, _ := auth0DecodeCheckpoint(q.Get("from"))
		take, err := strconv.Atoi(q.Get("take"))
		if err != nil || take <= 0 {
			take = 50
		}
		return off / take
	}
	p, _ := strconv.Atoi(q.Get("page"))
	return p
}

func (a *Auth0) fault(w http.ResponseWriter, path string, page int) bool {
	for i, f := range a.faults {
		if f.path != path || (f.page >= 0 && f.page != page) {
			continue
		}
		a.faults = append(a.faults[:i], a.faults[i+1:]...)
		if f.status == http.StatusTooManyRequests {
			w.Header().Set("X-Ratelimit-Remaining", "0")
			w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(time.Now().Unix(), 10))
			if f.retryAfter != "" {
				w.Header().Set("Retry-After", f.retryAfter)
			}
		}
		if strings.HasPrefix(strings.TrimSpace(f.body), "<") {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		} else {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		}
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte(f.body))
		return true
	}
	return false
}

// rateHeaders reports a per-second window: remaining falls with each
// request of the current second and resets at the next one.
func (a *Auth0) rateHeaders(w http.ResponseWriter) {
	now := time.Now().Unix()
	if now != a.second {
		a.second, a.used = now, 0
	}
	a.used++
	h := w.Header()
	h.Set("X-Ratelimit-Limit", strconv.Itoa(a.opt.RateLimit))
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(max(0, a.opt.RateLimit-a.used)))
	h.Set("X-Ratelimit-Reset", strconv.FormatInt(now+1, 10))
}

// token answers the client-credentials grant, as a form or a JSON body,
// with the secret in the body or in Basic auth.
func (a *Auth0) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		auth0WriteJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "invalid_request"})
		return
	}
	p := map[string]string{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		_ = json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&p)
	} else if err := r.ParseForm(); err == nil {
		for k := range r.PostForm {
			p[k] = r.PostForm.Get(k)
		}
	}
	if id, secret, ok := r.BasicAuth(); ok {
		p["client_id"], p["client_secret"] = id, secret
	}
	switch {
	case p["grant_type"] != "client_credentials":
		auth0WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "unsupported_grant_type",
			"error_description": "Unsupported grant type: " + p["grant_type"]})
	case p["client_id"] != a.opt.ClientID || p["client_secret"] != a.opt.ClientSecret:
		auth0WriteJSON(w, http.StatusUnauthorized, map[string]any{"error": "access_denied", "error_description": "Unauthorized"})
	case p["audience"] != "https://"+a.opt.Domain+"/api/v2/":
		auth0WriteJSON(w, http.StatusForbidden, map[string]any{"error": "access_denied",
			"error_description": "Service not enabled within domain: " + p["audience"]})
	default:
		b := make([]byte, 24)
		_, _ = rand.Read(b)
		tok := hex.EncodeToString(b)
		a.tokens[tok] = true
		var granted []string
		for _, sc := range auth0Scopes {
			if !a.tenant.Withheld[sc] && (sc != "read:connections_options" || !a.tenant.OmitConnectionOptions) {
				granted = append(granted, sc)
			}
		}
		scopes := strings.Join(granted, " ")
		auth0WriteJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer",
			"expires_in": 86400, "scope": scopes})
	}
}
