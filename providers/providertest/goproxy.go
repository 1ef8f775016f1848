package providertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// GoProxy is a simulated Go module proxy speaking the GOPROXY protocol:
// /{module}/@v/list, /@v/{version}.info, /@v/{version}.mod, /@latest,
// module paths and versions case-escaped with "!", a 404 with a plain
// "not found: ..." body for what it does not know, as proxy.golang.org
// answers.
type GoProxy struct {
	srv *httptest.Server

	mu      sync.Mutex
	modules map[string]map[string]goVersion // module -> version -> release
	faults  []Fault
	log     []Request
}

type goVersion struct {
	time  time.Time
	gomod string
}

// NewGoProxy starts an empty simulated proxy.
func NewGoProxy() *GoProxy {
	g := &GoProxy{modules: map[string]map[string]goVersion{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	return g
}

// URL is the proxy's address.
func (g *GoProxy) URL() string { return g.srv.URL + "/" }

// Close stops the server.
func (g *GoProxy) Close() { g.srv.Close() }

// Release publishes a version of a module with its go.mod (see GoMod).
func (g *GoProxy) Release(mod, version string, at time.Time, gomod string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.modules[mod] == nil {
		g.modules[mod] = map[string]goVersion{}
	}
	g.modules[mod][version] = goVersion{time: at, gomod: gomod}
}

// Fail queues faults served instead of the next answers.
func (g *GoProxy) Fail(fs ...Fault) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.faults = append(g.faults, fs...)
}

// Requests returns the requests served so far.
func (g *GoProxy) Requests() []Request {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Request(nil), g.log...)
}

// GoMod writes a go.mod: the module line (with a "// Deprecated:"
// comment when deprecated is set) and one retract directive per entry,
// each "v1.0.0 // rationale" or "[v1.1.0, v1.2.0] // rationale".
func GoMod(mod, deprecated string, retract ...string) string {
	var b strings.Builder
	if deprecated != "" {
		fmt.Fprintf(&b, "// Deprecated: %s\n", deprecated)
	}
	fmt.Fprintf(&b, "module %s\n\ngo 1.23\n\nrequire golang.org/x/oauth2 v0.21.0\n", mod)
	if len(retract) > 0 {
		b.WriteString("\nretract (\n")
		for _, r := range retract {
			v, why, _ := strings.Cut(r, "//")
			if why = strings.TrimSpace(why); why != "" {
				fmt.Fprintf(&b, "\t// %s\n", why)
			}
			fmt.Fprintf(&b, "\t%s\n", strings.TrimSpace(v))
		}
		b.WriteString(")\n")
	}
	return b.String()
}

// Source is the [[source]] table of a gomod source reading mod through
// this proxy, the app building with deployed.
func (g *GoProxy) Source(name, mod, deployed string) string {
	return fmt.Sprintf(`[[source]]
name = %q
type = "gomod"
module = %q
deployed = %q
proxy = %q
`, name, mod, deployed, g.URL())
}

func (g *GoProxy) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.log = append(g.log, Request{Method: r.Method, Path: r.URL.EscapedPath(), Header: r.Header.Clone()})
	if len(g.faults) > 0 {
		f := g.faults[0]
		g.faults = g.faults[1:]
		serveFault(w, f)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	escMod, rest, ok := strings.Cut(path, "/@")
	mod, err := module.UnescapePath(escMod)
	versions := g.modules[mod]
	notFound := func(what string) {
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "not found: %s\n", what)
	}
	if !ok || err != nil || versions == nil {
		notFound(fmt.Sprintf("module %s: no matching versions for query \"latest\"", escMod))
		return
	}
	info := func(v string) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"Version": v, "Time": versions[v].time.UTC().Format(time.RFC3339),
			"Origin": map[string]string{"VCS": "git", "URL": "https://" + mod, "Ref": "refs/tags/" + v}})
	}
	switch {
	case rest == "v/list":
		var list []string
		for v := range versions {
			list = append(list, v)
		}
		sort.Slice(list, func(i, j int) bool { return semver.Compare(list[i], list[j]) < 0 })
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		fmt.Fprint(w, strings.Join(list, "\n")+"\n")
	case rest == "latest":
		best := ""
		for v := range versions {
			if best == "" || semver.Compare(v, best) > 0 {
				best = v
			}
		}
		info(best)
	case strings.HasPrefix(rest, "v/"):
		file := strings.TrimPrefix(rest, "v/")
		ext := file[strings.LastIndexByte(file, '.')+1:]
		v, err := module.UnescapeVersion(strings.TrimSuffix(file, "."+ext))
		if _, known := versions[v]; err != nil || !known {
			notFound(fmt.Sprintf("%s@%s: invalid version: unknown revision %s", mod, v, v))
			return
		}
		switch ext {
		case "info":
			info(v)
		case "mod":
			w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
			fmt.Fprint(w, versions[v].gomod)
		default:
			notFound(file)
		}
	default:
		notFound(rest)
	}
}
