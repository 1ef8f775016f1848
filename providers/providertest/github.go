package providertest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// gitHubPrefix is where the simulated API lives, like a GitHub Enterprise
// server's /api/v3/: a client that builds absolute paths misses it.
const gitHubPrefix = "/api/v3"

// secondaryDocs is the documentation_url GitHub sends with a secondary
// rate limit; go-github recognises the limit by its ending.
const secondaryDocs = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"

// Fault is an answer the simulated GitHub gives instead of the next
// request's real one.
type Fault struct {
	Status      int
	Header      map[string]string
	Body        string
	ContentType string // default application/json
}

// TooManyRequests is a 429 with a Retry-After (empty: none).
func TooManyRequests(retryAfter string) Fault {
	f := Fault{Status: http.StatusTooManyRequests, Header: map[string]string{},
		Body: `{"message":"API rate limit exceeded. Please retry your request again later.","documentation_url":"https://docs.github.com/rest"}`}
	if retryAfter != "" {
		f.Header["Retry-After"] = retryAfter
	}
	return f
}

// SecondaryLimit is GitHub's 403 for a secondary rate limit, with a
// Retry-After (empty: none).
func SecondaryLimit(retryAfter string) Fault {
	f := Fault{Status: http.StatusForbidden, Header: map[string]string{},
		Body: `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"` + secondaryDocs + `"}`}
	if retryAfter != "" {
		f.Header["Retry-After"] = retryAfter
	}
	return f
}

// Exhausted is GitHub's 403 for a spent primary budget, resetting at reset.
func Exhausted(status int, reset time.Time) Fault {
	return Fault{Status: status, Header: map[string]string{
		"X-RateLimit-Remaining": "0",
		"X-RateLimit-Reset":     strconv.FormatInt(reset.Unix(), 10),
	}, Body: `{"message":"API rate limit exceeded for 203.0.113.7. (But here's the good news: Authenticated requests get a higher rate limit.)","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}`}
}

// HTMLPage is a 200 that is not JSON: a captive portal or a proxy error.
func HTMLPage() Fault {
	return Fault{Status: http.StatusOK, ContentType: "text/html; charset=utf-8",
		Body: "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in</body></html>"}
}

// MalformedJSON is a 200 whose JSON is cut short.
func MalformedJSON() Fault {
	return Fault{Status: http.StatusOK, Body: `[{"tag_name":"v1.0.0","draft":false,`}
}

// Request is one request the simulated upstream saw.
type Request struct {
	Method string
	Path   string // without the API prefix, e.g. /repos/o/r/releases
	Query  string
	Header http.Header
	Status int
}

// GitHub is a simulated GitHub REST API for one repository's releases
// and security advisories: paging with Link headers, ETag and 304,
// x-ratelimit headers and injectable rate limits.
type GitHub struct {
	srv         *httptest.Server
	owner, repo string

	mu         sync.Mutex
	releases   []Release // newest first
	ids        []int64
	nextID     int64
	advisories []Advisory
	advStatus  int
	faults     []Fault
	weak       bool
	limit      int
	remaining  int
	reset      time.Time
	counts     map[string]int
	log        []Request
}

// NewGitHub starts a simulated GitHub serving repo ("owner/name") with the
// given releases, newest first. Drafts are listed, as GitHub lists them to
// a token with push access.
func NewGitHub(repo string, releases ...Release) *GitHub {
	owner, name, _ := strings.Cut(repo, "/")
	g := &GitHub{owner: owner, repo: name, nextID: 72286832, limit: 60, remaining: 60,
		reset: time.Now().Add(time.Hour).Truncate(time.Second), counts: map[string]int{}}
	g.SetReleases(releases...)
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	return g
}

// URL is the API URL to configure (api_url), with its trailing slash.
func (g *GitHub) URL() string { return g.srv.URL + gitHubPrefix + "/" }

// Close stops the server.
func (g *GitHub) Close() { g.srv.Close() }

// SetReleases replaces the releases, newest first.
func (g *GitHub) SetReleases(rs ...Release) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.releases, g.ids = nil, nil
	for _, r := range rs {
		g.releases = append(g.releases, r)
		g.ids = append(g.ids, g.nextID)
		g.nextID++
	}
}

// AddRelease publishes a release as the newest one.
func (g *GitHub) AddRelease(r Release) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.releases = append([]Release{r}, g.releases...)
	g.ids = append([]int64{g.nextID}, g.ids...)
	g.nextID++
}

// RemoveRelease deletes the release with the tag; it reports whether one
// was there.
func (g *GitHub) RemoveRelease(tag string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, r := range g.releases {
		if r.Tag == tag {
			g.releases = append(g.releases[:i:i], g.releases[i+1:]...)
			g.ids = append(g.ids[:i:i], g.ids[i+1:]...)
			return true
		}
	}
	return false
}

// AddAdvisory publishes a security advisory.
func (g *GitHub) AddAdvisory(a Advisory) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.advisories = append(g.advisories, a)
}

// SetAdvisoriesStatus makes the advisories endpoint answer with an error
// status, e.g. 404 for a repository without advisories; 0 restores it.
func (g *GitHub) SetAdvisoriesStatus(code int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.advStatus = code
}

// FailNext queues faults answered, in order, to the next requests.
func (g *GitHub) FailNext(fs ...Fault) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.faults = append(g.faults, fs...)
}

// SetWeakETags makes list responses carry weak ETags (W/"…"), as GitHub's
// list endpoints often do.
func (g *GitHub) SetWeakETags(weak bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.weak = weak
}

// SetRateLimit sets the primary budget: once remaining reaches 0, requests
// get GitHub's 403 until reset.
func (g *GitHub) SetRateLimit(limit, remaining int, reset time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.limit, g.remaining, g.reset = limit, remaining, reset.Truncate(time.Second)
}

// Requests counts the requests to one path (e.g. "/repos/o/r/releases");
// "" counts all.
func (g *GitHub) Requests(path string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if path == "" {
		return len(g.log)
	}
	return g.counts[path]
}

// Log returns the requests seen so far, with their headers.
func (g *GitHub) Log() []Request {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Request(nil), g.log...)
}

func (g *GitHub) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, gitHubPrefix)
	g.counts[path]++
	g.log = append(g.log, Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Header: r.Header.Clone()})
	status := g.answer(w, r, path)
	g.log[len(g.log)-1].Status = status
}

// answer writes the response and returns its status. The lock is held.
func (g *GitHub) answer(w http.ResponseWriter, r *http.Request, path string) int {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP")
	if len(g.faults) > 0 {
		f := g.faults[0]
		g.faults = g.faults[1:]
		g.rateHeaders(h, false)
		for k, v := range f.Header {
			h.Set(k, v)
		}
		if f.ContentType != "" {
			h.Set("Content-Type", f.ContentType)
		}
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return f.Status
	}
	if !strings.HasPrefix(r.URL.Path, gitHubPrefix+"/") {
		return g.fail(w, http.StatusNotFound, "Not Found")
	}
	if g.remaining <= 0 && time.Now().Before(g.reset) {
		g.rateHeaders(h, false)
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(Exhausted(http.StatusForbidden, g.reset).Body))
		return http.StatusForbidden
	}
	if r.Method != http.MethodGet {
		return g.fail(w, http.StatusNotFound, "Not Found")
	}
	base := fmt.Sprintf("/repos/%s/%s", g.owner, g.repo)
	var body []byte
	var link string
	switch path {
	case base + "/releases":
		body, link = g.releasesPage(r)
	case base + "/security-advisories":
		if g.advStatus != 0 {
			g.rateHeaders(h, true)
			return g.fail(w, g.advStatus, http.StatusText(g.advStatus))
		}
		list := []any{}
		for _, a := range g.advisories {
			list = append(list, advisoryJSON(g.owner, g.repo, a))
		}
		body, _ = json.Marshal(list)
	default:
		g.rateHeaders(h, true)
		return g.fail(w, http.StatusNotFound, "Not Found")
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	if g.weak {
		etag = "W/" + etag
	}
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, max-age=60, s-maxage=60")
	if link != "" {
		h.Set("Link", link)
	}
	if etagMatch(r.Header.Get("If-None-Match"), etag) {
		// A conditional request answered 304 does not count when it is
		// made with an Authorization header.
		g.rateHeaders(h, r.Header.Get("Authorization") == "")
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified
	}
	g.rateHeaders(h, true)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return http.StatusOK
}

// releasesPage renders one page of releases and its Link header.
func (g *GitHub) releasesPage(r *http.Request) ([]byte, string) {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 {
		per = 30
	}
	per = min(per, 100)
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	last := max(1, (len(g.releases)+per-1)/per)
	list := []any{}
	for i := (page - 1) * per; i < len(g.releases) && i < page*per; i++ {
		list = append(list, releaseJSON(g.owner, g.repo, g.ids[i], g.releases[i]))
	}
	body, _ := json.Marshal(list)
	u := func(p int) string {
		return fmt.Sprintf("<http://%s%s/repos/%s/%s/releases?per_page=%d&page=%d>", r.Host, gitHubPrefix, g.owner, g.repo, per, p)
	}
	var links []string
	if page < last {
		links = append(links, u(page+1)+`; rel="next"`, u(last)+`; rel="last"`)
	}
	if page > 1 {
		links = append(links, u(page-1)+`; rel="prev"`, u(1)+`; rel="first"`)
	}
	return body, strings.Join(links, ", ")
}

// rateHeaders writes the x-ratelimit headers, counting the request when
// count is set.
func (g *GitHub) rateHeaders(h http.Header, count bool) {
	if !time.Now().Before(g.reset) {
		g.remaining, g.reset = g.limit, time.Now().Add(time.Hour).Truncate(time.Second)
	}
	if count && g.remaining > 0 {
		g.remaining--
	}
	h.Set("X-RateLimit-Limit", strconv.Itoa(g.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(g.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(g.reset.Unix(), 10))
	h.Set("X-RateLimit-Used", strconv.Itoa(g.limit-g.remaining))
	h.Set("X-RateLimit-Resource", "core")
}

func (g *GitHub) fail(w http.ResponseWriter, code int, msg string) int {
	w.WriteHeader(code)
	b, _ := json.Marshal(map[string]string{"message": msg, "documentation_url": "https://docs.github.com/rest"})
	_, _ = w.Write(b)
	return code
}

// etagMatch is the weak comparison If-None-Match uses: W/ is ignored.
func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	strip := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	for _, c := range strings.Split(header, ",") {
		if strings.TrimSpace(c) == "*" || strip(c) == strip(etag) {
			return true
		}
	}
	return false
}
