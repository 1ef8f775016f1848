package lockfile_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/lockfile"
)

func TestSourceVersion(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "package-lock-v3.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/app/package-lock.json":
			w.Write(data)
		case "/big/package-lock.json":
			w.Write(make([]byte, 2048))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	local := filepath.Join(dir, "package-lock.json")
	if err := os.WriteFile(local, data, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		src     lockfile.Source
		want    string
		wantErr string
	}{
		{"File", lockfile.Source{Location: local, Repo: "auth0/nextjs-auth0"}, "4.13.0", ""},
		{"URL", lockfile.Source{Location: srv.URL + "/app/package-lock.json?token=s3cret", Repo: "auth0/nextjs-auth0", HTTP: srv.Client()}, "4.13.0", ""},
		{"Package", lockfile.Source{Location: local, Package: "@auth0/auth0-auth-js", Repo: "auth0/auth0-auth-js"}, "1.2.0", ""},
		{"ErrMissingFile", lockfile.Source{Location: filepath.Join(dir, "nope", "package-lock.json"), Repo: "auth0/nextjs-auth0"}, "", "no such file"},
		{"ErrHTTP404", lockfile.Source{Location: srv.URL + "/gone/package-lock.json?token=s3cret", Repo: "auth0/nextjs-auth0", HTTP: srv.Client()}, "", "HTTP 404"},
		{"ErrTooLarge", lockfile.Source{Location: srv.URL + "/big/package-lock.json", Repo: "auth0/nextjs-auth0", HTTP: srv.Client(), MaxBytes: 1024}, "", "larger than 1024 bytes"},
		{"ErrNotNamed", lockfile.Source{Location: local, Repo: "auth0/auth0-spa-js"}, "", "@auth0/auth0-spa-js or auth0-spa-js: package not in the lockfile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.src.Version(t.Context())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Fatalf("error leaks the URL's query: %v", err)
				}
				return
			}
			if err != nil || got.Version != tt.want {
				t.Fatalf("Version = %+v, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestNames(t *testing.T) {
	if got := lockfile.Names("", "auth0/nextjs-auth0", lockfile.NPM); strings.Join(got, ",") != "@auth0/nextjs-auth0,nextjs-auth0" {
		t.Errorf("npm names = %v", got)
	}
	if got := lockfile.Names("", "auth0/go-auth0", lockfile.GoMod); strings.Join(got, ",") != "github.com/auth0/go-auth0" {
		t.Errorf("go names = %v", got)
	}
	if got := lockfile.Names("auth0", "auth0/node-auth0", lockfile.NPM); strings.Join(got, ",") != "auth0" {
		t.Errorf("explicit names = %v", got)
	}
}
