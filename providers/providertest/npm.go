package providertest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/Masterminds/semver/v3"
)

// NPMVersion is one published version of a simulated npm package.
type NPMVersion struct {
	Version    string
	Published  time.Time
	Deprecated string // the deprecation message; "" when not deprecated
}

// NPMRegistry is a simulated npm registry serving full package documents
// (GET /{name}, a scoped name as @scope%2fname or @scope/name) in the
// registry's wire shape: _id, _rev, name, dist-tags, versions with each
// version's manifest, time, maintainers, readme; ETag and 304; a 404
// answers {"error":"Not found"} as the registry does.
type NPMRegistry struct {
	srv *httptest.Server

	mu       sync.Mutex
	packages map[string]*npmPackage
	faults   []Fault
	log      []Request
}

type npmPackage struct {
	versions map[string]NPMVersion
	tags     map[string]string
	rev      int
	// body is the document rendered at revision bodyRev.
	body    []byte
	bodyRev int
}

// NewNPMRegistry starts an empty simulated registry.
func NewNPMRegistry() *NPMRegistry {
	r := &NPMRegistry{packages: map[string]*npmPackage{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	return r
}

// URL is the registry's address, with a trailing slash as npm configures
// registries.
func (r *NPMRegistry) URL() string { return r.srv.URL + "/" }

// Close stops the server.
func (r *NPMRegistry) Close() { r.srv.Close() }

// Publish adds versions to a package; "latest" follows the highest stable
// version published.
func (r *NPMRegistry) Publish(pkg string, versions ...NPMVersion) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.packages[pkg]
	if p == nil {
		p = &npmPackage{versions: map[string]NPMVersion{}, tags: map[string]string{}}
		r.packages[pkg] = p
	}
	for _, v := range versions {
		p.versions[v.Version] = v
		nv, err := semver.StrictNewVersion(v.Version)
		if err != nil || nv.Prerelease() != "" {
			continue
		}
		if cur, err := semver.StrictNewVersion(p.tags["latest"]); err != nil || nv.GreaterThan(cur) {
			p.tags["latest"] = v.Version
		}
	}
	p.rev++
}

// Deprecate sets the deprecation message of one version, as `npm
// deprecate` does; "" lifts it.
func (r *NPMRegistry) Deprecate(pkg, version, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.packages[pkg]
	v := p.versions[version]
	v.Deprecated = msg
	p.versions[version] = v
	p.rev++
}

// Tag points a dist-tag at a version.
func (r *NPMRegistry) Tag(pkg, tag, version string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.packages[pkg].tags[tag] = version
	r.packages[pkg].rev++
}

// Fail queues faults served instead of the next documents.
func (r *NPMRegistry) Fail(fs ...Fault) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = append(r.faults, fs...)
}

// Requests returns the requests served so far.
func (r *NPMRegistry) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.log...)
}

// Source is the [[source]] table of an npm source reading pkg from this
// registry, the app running deployed.
func (r *NPMRegistry) Source(name, pkg, deployed string) string {
	return fmt.Sprintf(`[[source]]
name = %q
type = "npm"
package = %q
deployed = %q
registry = %q
`, name, pkg, deployed, r.URL())
}

func (r *NPMRegistry) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.log = append(r.log, Request{Method: req.Method, Path: req.URL.EscapedPath(), Header: req.Header.Clone()})
	var fault *Fault
	if len(r.faults) > 0 {
		f := r.faults[0]
		r.faults = r.faults[1:]
		fault = &f
	}
	name, _ := url.PathUnescape(strings.TrimPrefix(req.URL.EscapedPath(), "/"))
	p := r.packages[name]
	var body []byte
	if p != nil {
		if p.body == nil || p.bodyRev != p.rev {
			p.body, p.bodyRev = p.document(name, r.srv.URL), p.rev
		}
		body = p.body
	}
	r.mu.Unlock()
	if fault != nil {
		serveFault(w, *fault)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if p == nil || req.Method != http.MethodGet {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":"Not found"}`)
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "public, max-age=300")
	if req.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(body)
}

// document renders the package document as the registry does.
func (p *npmPackage) document(name, origin string) []byte {
	unscoped := name[strings.LastIndexByte(name, '/')+1:]
	keys := make([]string, 0, len(p.versions))
	for k := range p.versions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	maint := []map[string]string{{"name": "sdk-bot", "email": "sdk@example.com"}}
	versions := map[string]any{}
	times := map[string]string{}
	var created, modified time.Time
	for _, k := range keys {
		v := p.versions[k]
		sum := sha256.Sum256([]byte(name + "@" + k))
		m := map[string]any{
			"name": name, "version": k, "description": "Simulated package " + name,
			"main": "dist/index.js", "types": "dist/index.d.ts", "license": "MIT",
			"dependencies": map[string]string{}, "_id": name + "@" + k,
			"_npmUser": maint[0], "maintainers": maint,
			"_nodeVersion": "20.11.0", "_npmVersion": "10.2.4",
			"_hasShrinkwrap": false,
			"dist": map[string]any{
				"shasum":       hex.EncodeToString(sum[:20]),
				"integrity":    "sha512-" + hex.EncodeToString(sum[:]),
				"tarball":      origin + "/" + name + "/-/" + unscoped + "-" + k + ".tgz",
				"fileCount":    42,
				"unpackedSize": 123456,
			},
			"repository": map[string]string{"type": "git", "url": "git+https://github.com/example/" + unscoped + ".git"},
		}
		if v.Deprecated != "" {
			m["deprecated"] = v.Deprecated
		}
		versions[k] = m
		times[k] = v.Published.UTC().Format("2006-01-02T15:04:05.000Z")
		if created.IsZero() || v.Published.Before(created) {
			created = v.Published
		}
		if v.Published.After(modified) {
			modified = v.Published
		}
	}
	times["created"] = created.UTC().Format("2006-01-02T15:04:05.000Z")
	times["modified"] = modified.Add(time.Duration(p.rev) * time.Minute).UTC().Format("2006-01-02T15:04:05.000Z")
	doc := map[string]any{
		"_id": name, "_rev": fmt.Sprintf("%d-%x", p.rev, sha256.Sum256([]byte(name)))[:20],
		"name": name, "description": "Simulated package " + name,
		"dist-tags": p.tags, "versions": versions, "time": times,
		"maintainers": maint, "license": "MIT",
		"readme":         "# " + name + "\n\nA simulated package.\n",
		"readmeFilename": "README.md",
		"repository":     map[string]string{"type": "git", "url": "git+https://github.com/example/" + unscoped + ".git"},
	}
	b, _ := json.Marshal(doc)
	return b
}

// serveFault writes a queued fault.
func serveFault(w http.ResponseWriter, f Fault) {
	ct := f.ContentType
	if ct == "" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	for k, v := range f.Header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(f.Body))
}
