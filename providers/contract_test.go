package providers_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/providers"
	"github.com/driftwatch/driftwatch/providers/auth0"
	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/redact"
	"github.com/driftwatch/driftwatch/watcher"
)

// fixture is a simulated upstream of one source type and the [[source]]
// table that reads it.
type fixture struct {
	upstream string // the upstream's base URL; its origin is swapped for the proxy's
	source   string // a [[source]] table named "src"
	env      map[string]string
	secrets  []string // credentials the source is configured with
	planted  []string // secret values the upstream serves in its content
	// tune sets a provider's test knobs (no real waits on a 429).
	tune func(watcher.Provider)
}

// fixtures hold one simulated upstream per registered source type: the
// contract below runs over every type the registry lists, and a type
// without a fixture fails it.
var fixtures = map[string]func(t *testing.T) fixture{
	"auth0": func(t *testing.T) fixture {
		a := providertest.NewAuth0(providertest.Auth0Options{})
		t.Cleanup(a.Close)
		return fixture{upstream: a.URL(), source: a.Source("src"), env: a.Env(), secrets: []string{a.ClientSecret()},
			planted: []string{providertest.Auth0SecretMarker},
			tune:    func(p watcher.Provider) { p.(*auth0.Provider).MaxWait = time.Millisecond }}
	},
	"github_releases": func(t *testing.T) fixture {
		g := providertest.NewGitHub("acme/auth-sdk", providertest.CorpusReleases("auth0__nextjs-auth0.md")...)
		t.Cleanup(g.Close)
		const token = "ghp_RegistryContractToken0123456789abcdef"
		return fixture{upstream: g.URL(), source: g.Source("src", "3.5.0") + "token_env = \"GH_TOKEN\"\n",
			env: map[string]string{"GH_TOKEN": token}, secrets: []string{token},
			tune: func(p watcher.Provider) {
				p.(*github.Provider).Sleep = func(context.Context, time.Duration) error { return nil }
			}}
	},
	"feed": func(t *testing.T) fixture {
		f := providertest.NewFeed(providertest.Atom, "Changelog", providertest.Entry{ID: "1", Title: "Node 18 end of life",
			Link: "https://changelog.example.com/1", Summary: "<p>Migrate.</p>", Published: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
		t.Cleanup(f.Close)
		return fixture{upstream: f.URL(), source: f.Source("src")}
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
		const key = "Bearer orders-0123456789abcdef"
		return fixture{upstream: s.URL, source: fmt.Sprintf("[[source]]\nname = \"src\"\ntype = \"http_json\"\nurl = %q\nheaders_env = { Authorization = \"DB_AUTH\" }\n", s.URL+"/api/db"),
			env: map[string]string{"DB_AUTH": key}, secrets: []string{key}}
	},
	"npm": func(t *testing.T) fixture {
		r := providertest.NewNPMRegistry()
		t.Cleanup(r.Close)
		r.Publish("@acme/sdk",
			providertest.NPMVersion{Version: "1.0.0", Published: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
			providertest.NPMVersion{Version: "2.0.0", Published: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
		r.Deprecate("@acme/sdk", "1.0.0", "unsupported")
		const token = "npm_RegistryContractToken0123456789abcdef"
		return fixture{upstream: r.URL(), source: r.Source("src", "@acme/sdk", "1.0.0") + "token_env = \"NPM_TOKEN\"\n",
			env: map[string]string{"NPM_TOKEN": token}, secrets: []string{token}}
	},
	"gomod": func(t *testing.T) fixture {
		g := providertest.NewGoProxy()
		t.Cleanup(g.Close)
		g.Release("github.com/Acme/sdk", "v1.0.0", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), providertest.GoMod("github.com/Acme/sdk", ""))
		g.Release("github.com/Acme/sdk", "v1.1.0", time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), providertest.GoMod("github.com/Acme/sdk", "", "v1.0.0 // broken"))
		return fixture{upstream: g.URL(), source: g.Source("src", "github.com/Acme/sdk", "v1.0.0")}
	},
}

// TestContractEveryType runs the provider contract (providertest.RunContract:
// a whole document or none, 304, Retry-After, cancellation, redirects,
// secrets) over every registered source type, each built through the
// registry from its [[source]] table as the binary builds it; then what
// the registry adds: an unknown key is reported at its line, the news
// collection and the footprint read the type's own document, and an
// unchanged upstream gives an unchanged fetch or the same document.
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
			up, err := url.Parse(fx.upstream)
			if err != nil {
				t.Fatal(err)
			}
			env := func(k string) (string, bool) { v, ok := fx.env[k]; return v, ok }
			build := func(t *testing.T, origin string, deps providers.Deps) (*watcher.Runtime, string) {
				t.Helper()
				text := strings.ReplaceAll(fx.source, up.Scheme+"://"+up.Host, origin)
				cfg, err := config.Parse("dw.toml", []byte(text), env)
				if err != nil {
					t.Fatalf("config: %v\n%s", err, text)
				}
				rt, err := providers.Runtime(cfg, &cfg.Sources[0], deps)
				if err != nil {
					t.Fatal(err)
				}
				if fx.tune != nil {
					fx.tune(rt.Provider)
				}
				return rt, text
			}
			providertest.RunContract(t, providertest.Contract{
				Upstream: fx.upstream,
				New: func(t *testing.T, origin string, hc *http.Client, logger *slog.Logger, scrub *redact.Scrubber) watcher.Provider {
					rt, _ := build(t, origin, providers.Deps{HTTP: hc, Logger: logger, Scrubber: scrub})
					return rt.Provider
				},
				Secrets: fx.secrets,
				Planted: fx.planted,
			})

			t.Run("Registry", func(t *testing.T) {
				rt, text := build(t, up.Scheme+"://"+up.Host, providers.Deps{})
				if _, err := config.Parse("dw.toml", []byte(text+"no_such_key = 1\n"), env); err == nil ||
					!strings.Contains(err.Error(), fmt.Sprintf("dw.toml:%d: source \"src\": unknown key \"no_such_key\"", strings.Count(text, "\n")+1)) {
					t.Errorf("unknown key: %v", err)
				}
				ctx := context.Background()
				res, err := rt.Provider.Fetch(ctx, watcher.FetchState{})
				if err != nil || res.Doc == nil {
					t.Fatalf("fetch: %+v, %v", res, err)
				}
				base, err := diff.Canonical(res.Doc, rt.Options)
				if err != nil {
					t.Fatalf("document does not canonicalise: %v", err)
				}
				doc, _ := diff.Decode(base)
				again, err := rt.Provider.Fetch(ctx, res.State)
				if err != nil {
					t.Fatalf("second fetch: %v", err)
				}
				if !again.Unchanged {
					if b, _ := diff.Canonical(again.Doc, rt.Options); string(b) != string(base) {
						t.Errorf("an unchanged upstream gave another document")
					}
				}
				typ, _ := providers.Lookup(name)
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
		})
	}
}
