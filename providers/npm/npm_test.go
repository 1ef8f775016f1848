package npm_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/lockfile"
	"github.com/driftwatch/driftwatch/providers/npm"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

const pkg = "@auth0/auth0-react"

func day(d int) time.Time { return time.Date(2023, 1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, d) }

// registry serves a release history shaped like @auth0/auth0-react's.
func registry(t *testing.T) *providertest.NPMRegistry {
	t.Helper()
	r := providertest.NewNPMRegistry()
	t.Cleanup(r.Close)
	r.Publish(pkg,
		providertest.NPMVersion{Version: "1.12.1", Published: day(0)},
		providertest.NPMVersion{Version: "2.0.0-beta.0", Published: day(10)},
		providertest.NPMVersion{Version: "2.0.0", Published: day(20)},
		providertest.NPMVersion{Version: "2.1.0", Published: day(60)},
		providertest.NPMVersion{Version: "2.1.1", Published: day(90)},
		providertest.NPMVersion{Version: "2.2.0", Published: day(120)},
		providertest.NPMVersion{Version: "3.0.0-beta.1", Published: day(150)},
	)
	r.Tag(pkg, "beta", "3.0.0-beta.1")
	return r
}

func fetch(t *testing.T, p *npm.Provider, prev watcher.FetchState) (*watcher.Result, any) {
	t.Helper()
	res, err := p.Fetch(context.Background(), prev)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if res.Unchanged {
		return res, nil
	}
	b, err := diff.Canonical(res.Doc, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := diff.Decode(b)
	return res, doc
}

func TestFetch(t *testing.T) {
	r := registry(t)
	r.Deprecate(pkg, "2.1.0", "Please upgrade: 2.1.0 mishandles the login redirect")
	p, err := npm.New(npm.Config{Name: "react", Package: pkg, Deployed: "v2.1.0", Registry: r.URL()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, doc := fetch(t, p, watcher.FetchState{})
	got, _ := json.Marshal(doc)
	want := `{"deployed":"v2.1.0","dist_tags":{"beta":"3.0.0-beta.1","latest":"2.2.0"},"latest":"2.2.0","package":"@auth0/auth0-react",` +
		`"versions":{"2.1.0":{"deprecated":"Please upgrade: 2.1.0 mishandles the login redirect","published":"2023-03-02T12:00:00Z"},` +
		`"2.1.1":{"published":"2023-04-01T12:00:00Z"},"2.2.0":{"published":"2023-05-01T12:00:00Z"},"3.0.0-beta.1":{"published":"2023-05-31T12:00:00Z"}}}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("document (-want +got):\n%s", diff)
	}
	reqs := r.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/@auth0%2fauth0-react" {
		t.Errorf("requests %+v, want GET /@auth0%%2fauth0-react", reqs)
	}
	// The next fetch is conditional: nothing moved, nothing read.
	again, _ := fetch(t, p, res.State)
	if !again.Unchanged {
		t.Error("second fetch is not Unchanged")
	}
	if h := r.Requests()[1].Header.Get("If-None-Match"); h == "" {
		t.Error("second fetch sent no If-None-Match")
	}
}

func TestFetchErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pkg   string
		fault *providertest.Fault
		want  string
	}{
		{name: "ErrNotFound", pkg: "@auth0/no-such-package", want: "not found"},
		{name: "ErrServer", pkg: pkg, fault: &providertest.Fault{Status: http.StatusBadGateway, Body: `{"error":"bad gateway"}`}, want: "502"},
		{name: "ErrTruncated", pkg: pkg, fault: &providertest.Fault{Status: http.StatusOK, Body: `{"name":"@auth0/auth0-react","versions":{"2.1.0":{"name":`}, want: "versions"},
		{name: "ErrNotJSON", pkg: pkg, fault: &providertest.Fault{Status: http.StatusOK, ContentType: "text/html", Body: `<html>login</html>`}, want: "not a package document"},
		{name: "ErrNoVersions", pkg: pkg, fault: &providertest.Fault{Status: http.StatusOK, Body: `{"name":"@auth0/auth0-react","time":{"unpublished":{"time":"2024-01-01T00:00:00.000Z","versions":["1.0.0"]}}}`}, want: "unpublished"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := registry(t)
			if tc.fault != nil {
				r.Fail(*tc.fault)
			}
			p, err := npm.New(npm.Config{Name: "react", Package: tc.pkg, Deployed: "2.1.0", Registry: r.URL()}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Fetch(context.Background(), watcher.FetchState{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v (res %+v), want one mentioning %q", err, res, tc.want)
			}
		})
	}
}

// The token goes to the registry only, never to a host it redirects to.
func TestTokenStaysHome(t *testing.T) {
	other := providertest.NewNPMRegistry()
	defer other.Close()
	other.Publish(pkg, providertest.NPMVersion{Version: "2.1.0", Published: day(0)})
	home := providertest.NewNPMRegistry()
	defer home.Close()
	home.Fail(providertest.Fault{Status: http.StatusFound, Header: map[string]string{"Location": other.URL() + "@auth0%2fauth0-react"}})
	p, err := npm.New(npm.Config{Name: "react", Package: pkg, Registry: home.URL(), Token: "npm_secret"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fetch(t, p, watcher.FetchState{})
	if got := home.Requests()[0].Header.Get("Authorization"); got != "Bearer npm_secret" {
		t.Errorf("registry got Authorization %q", got)
	}
	if got := other.Requests()[0].Header.Get("Authorization"); got != "" {
		t.Errorf("redirect target got Authorization %q", got)
	}
}

func TestDocumentURL(t *testing.T) {
	for in, want := range map[string]string{
		"express":            "https://registry.npmjs.org/express",
		"@auth0/auth0-react": "https://registry.npmjs.org/@auth0%2fauth0-react",
	} {
		if got := npm.DocumentURL(npm.DefaultRegistry, in); got != want {
			t.Errorf("DocumentURL(%q) = %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"", "../etc/passwd", "@scope/", "a/b/c", "name with space"} {
		if npm.ValidName(bad) {
			t.Errorf("ValidName(%q) = true", bad)
		}
	}
}

// A 304 stands for the last document only while the deployed version is
// the one it was built for; deployed_from reads it from the lockfile.
func TestDeployedFrom(t *testing.T) {
	r := registry(t)
	lock := filepath.Join(t.TempDir(), "package-lock.json")
	write := func(v string) {
		t.Helper()
		body := `{"name":"app","lockfileVersion":3,"packages":{"":{"dependencies":{"@auth0/auth0-react":"^2"}},` +
			`"node_modules/@auth0/auth0-react":{"version":"` + v + `"}}}`
		if err := os.WriteFile(lock, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("2.1.0")
	p, err := npm.New(npm.Config{Name: "react", Package: pkg, Registry: r.URL(),
		DeployedFrom: &lockfile.Source{Location: lock, Package: pkg}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, doc := fetch(t, p, watcher.FetchState{})
	if d := doc.(map[string]any); d["deployed"] != "2.1.0" {
		t.Fatalf("deployed = %v", d["deployed"])
	}
	if again, _ := fetch(t, p, res.State); !again.Unchanged {
		t.Error("same lockfile, same registry: not Unchanged")
	}
	write("2.2.0")
	again, doc := fetch(t, p, res.State)
	if again.Unchanged || doc.(map[string]any)["deployed"] != "2.2.0" {
		t.Errorf("after the lockfile moved: unchanged %v, document %v", again.Unchanged, doc)
	}
	if err := os.WriteFile(lock, []byte(`{"name":"app","lockfileVersion":3,"packages":{"":{}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Fetch(context.Background(), again.State); err == nil || !strings.Contains(err.Error(), pkg) {
		t.Errorf("a lockfile without the package: %v", err)
	}
}
