package providers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

// fixture is a simulated upstream of one source type and the [[source]]
// table that reads it.
type fixture struct {
	upstream string // the upstream's base URL; its origin is swapped for the proxy's
	source   string // a [[source]] table named "src"
	env      map[string]string
}

// fixtures hold one simulated upstream per registered source type: the
// contract below runs over every type the registry lists, and a type
// without a fixture fails it.
var fixtures = map[string]func(t *testing.T) fixture{
	"auth0": func(t *testing.T) fixture {
		a := providertest.NewAuth0(providertest.Auth0Options{})
		t.Cleanup(a.Close)
		return fixture{a.URL(), a.Source("src"), a.Env()}
	},
	"github_releases": func(t *testing.T) fixture {
		g := providertest.NewGitHub("acme/auth-sdk", providertest.CorpusReleases("auth0__nextjs-auth0.md")...)
		t.Cleanup(g.Close)
		return fixture{g.URL(), g.Source("src", "3.5.0"), nil}
	},
	"feed": func(t *testing.T) fixture {
		f := providertest.NewFeed(providertest.Atom, "Changelog", providertest.Entry{ID: "1", Title: "Node 18 end of life",
			Link: "https://changelog.example.com/1", Summary: "<p>Migrate.</p>", Published: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
		t.Cleanup(f.Close)
		return fixture{f.URL(), f.Source("src"), nil}
	},
	"http_json": func(t *testing.T) fixture {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("ETag", `"v1"`)
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			fmt.Fprint(w, `{"plan":"pro","metrics":{"cpu_percent":42}}`)
		}))
		t.Cleanup(s.Close)
		return fixture{s.URL, fmt.Sprintf("[[source]]\nname = \"src\"\ntype = \"http_json\"\nurl = %q\n", s.URL+"/api/db"), nil}
	},
	"npm": func(t *testing.T) fixture {
		r := providertest.NewNPMRegistry()
		t.Cleanup(r.Close)
		r.Publish("@acme/sdk",
			providertest.NPMVersion{Version: "1.0.0", Published: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
			providertest.NPMVersion{Version: "2.0.0", Published: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
		r.Deprecate("@acme/sdk", "1.0.0", "unsupported")
		return fixture{r.URL(), r.Source("src", "@acme/sdk", "1.0.0"), nil}
	},
	"gomod": func(t *testing.T) fixture {
		g := providertest.NewGoProxy()
		t.Cleanup(g.Close)
		g.Release("github.com/Acme/sdk", "v1.0.0", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), providertest.GoMod("github.com/Acme/sdk", ""))
		g.Release("github.com/Acme/sdk", "v1.1.0", time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), providertest.GoMod("github.com/Acme/sdk", "", "v1.0.0 // broken"))
		return fixture{g.URL(), g.Source("src", "github.com/Acme/sdk", "v1.0.0"), nil}
	},
}

// faultProxy stands in front of an upstream and fails the requests it is
// told to.
type faultProxy struct {
	srv  *httptest.Server
	mu   sync.Mutex
	n    int
	fail func(n int) bool
}

func newFaultProxy(t *testing.T, upstream string) *faultProxy {
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	u.Path, u.RawPath = "", ""
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &faultProxy{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.n++
		fail := p.fail != nil && p.fail(p.n)
		p.mu.Unlock()
		if fail {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"error":"internal"}`)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *faultProxy) reset(fail func(n int) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n, p.fail = 0, fail
}

func (p *faultProxy) requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// TestContractEveryType runs the provider contract over every registered
// source type, built through the registry as the binary builds it: its
// config validates, a fetch is a whole canonical document, the next fetch
// with its state is unchanged or the same document, a failure on any one
// request stores nothing, and its footprint and news collection read its
// own document.
func TestContractEveryType(t *testing.T) {
	types := config.Types()
	if len(types) < 6 {
		t.Fatalf("registered types %v", types)
	}
	for _, name := range types {
		t.Run(name, func(t *testing.T) {
			if name == diceType.Name {
				t.Skip("the throwaway type of TestThrowawaySourceType")
			}
			mk, ok := fixtures[name]
			if !ok {
				t.Fatalf("source type %q has no fixture here: add a simulated upstream for it", name)
			}
			fx := mk(t)
			up, _ := url.Parse(fx.upstream)
			proxy := newFaultProxy(t, fx.upstream)
			text := strings.ReplaceAll(fx.source, up.Scheme+"://"+up.Host, proxy.srv.URL)
			env := func(k string) (string, bool) { v, ok := fx.env[k]; return v, ok }
			cfg, err := config.Parse("dw.toml", []byte(text), env)
			if err != nil {
				t.Fatalf("config: %v\n%s", err, text)
			}
			typ, _ := providers.Lookup(name)
			rt, err := providers.Runtime(cfg, &cfg.Sources[0], providers.Deps{})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()

			// An unknown key in its table is reported at its line.
			if _, err := config.Parse("dw.toml", []byte(text+"no_such_key = 1\n"), env); err == nil ||
				!strings.Contains(err.Error(), fmt.Sprintf("dw.toml:%d: source \"src\": unknown key \"no_such_key\"", strings.Count(text, "\n")+1)) {
				t.Errorf("unknown key: %v", err)
			}

			res, err := rt.Provider.Fetch(ctx, watcher.FetchState{})
			if err != nil || res.Unchanged || res.Doc == nil {
				t.Fatalf("baseline fetch: %+v, %v", res, err)
			}
			base, err := diff.Canonical(res.Doc, rt.Options)
			if err != nil {
				t.Fatalf("document does not canonicalise: %v", err)
			}
			calls := proxy.requests()
			doc, _ := diff.Decode(base)

			again, err := rt.Provider.Fetch(ctx, res.State)
			if err != nil {
				t.Fatalf("second fetch: %v", err)
			}
			if !again.Unchanged {
				b, _ := diff.Canonical(again.Doc, rt.Options)
				if string(b) != string(base) {
					t.Errorf("an unchanged upstream gave another document")
				}
			}

			for k := 1; k <= calls; k++ {
				proxy.reset(func(n int) bool { return n == k })
				res, err := rt.Provider.Fetch(ctx, watcher.FetchState{})
				switch {
				case err != nil && res != nil && res.Doc != nil:
					t.Errorf("request %d of %d failed: an error and a document", k, calls)
				case err == nil && res.Doc != nil:
					if b, _ := diff.Canonical(res.Doc, rt.Options); string(b) != string(base) {
						t.Errorf("request %d of %d failed: a document that is not the whole one", k, calls)
					}
				case err == nil:
					t.Errorf("request %d of %d failed: no error and no document", k, calls)
				}
			}
			proxy.reset(func(int) bool { return true })
			if res, err := rt.Provider.Fetch(ctx, watcher.FetchState{}); err == nil {
				t.Errorf("every request failing: no error (%+v)", res)
			}

			if typ.Items != nil {
				if _, ok := doc.(map[string]any)[typ.Items.Member].(map[string]any); !ok {
					t.Errorf("news collection %q is not an object of the document", typ.Items.Member)
				}
			}
			if rt.Footprint != nil {
				rt.Footprint(nil)
				if fp := rt.Footprint(doc); len(fp.Uses) == 0 && len(fp.Clients) == 0 {
					t.Errorf("footprint of its own document is empty")
				}
			}
		})
	}
}
