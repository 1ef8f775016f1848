package config_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/providers/github"
)

func TestDeployedFrom(t *testing.T) {
	const head = "[[source]]\nname = \"nextjs\"\ntype = \"github_releases\"\nrepo = \"auth0/nextjs-auth0\"\n"
	tests := []struct {
		name    string
		text    string
		want    []string // error lines; none for a valid config
		from    string
		pkg     string
		resolve string
	}{
		{name: "OK path", text: head + "deployed_from = \"app/package-lock.json\"\n", from: "app/package-lock.json",
			resolve: filepath.Join("/srv/dw", "app", "package-lock.json")},
		{name: "OK URL with package", text: head + "deployed_from = \"https://example.com/app/go.mod\"\npackage = \"github.com/auth0/go-auth0/v2\"\n",
			from: "https://example.com/app/go.mod", pkg: "github.com/auth0/go-auth0/v2", resolve: "https://example.com/app/go.mod"},
		{name: "ErrBoth", text: head + "deployed = \"3.5.0\"\ndeployed_from = \"package-lock.json\"\n",
			want: []string{`dw.toml:6: source "nextjs": deployed and deployed_from are mutually exclusive: keep one`}},
		{name: "ErrPackageAlone", text: head + "package = \"@auth0/nextjs-auth0\"\n",
			want: []string{`dw.toml:5: source "nextjs": package applies to deployed_from: name the lockfile to look it up in`}},
		{name: "ErrScheme", text: head + "deployed_from = \"ftp://example.com/yarn.lock?token=s3cret\"\n",
			want: []string{`dw.toml:5: source "nextjs": deployed_from "ftp://example.com/yarn.lock": want a file path or an http(s) URL`}},
		{name: "ErrOtherType", text: "[[source]]\nname = \"feed\"\ntype = \"feed\"\nurl = \"https://example.com/f\"\ndeployed_from = \"yarn.lock\"\n",
			want: []string{`dw.toml:5: source "feed": key "deployed_from" is for github_releases, gomod or npm sources, not feed`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse("dw.toml", []byte(tt.text), env(nil))
			if len(tt.want) > 0 {
				if got, want := errString(err), strings.Join(tt.want, "\n"); got != want {
					t.Fatalf("error:\n%s\nwant:\n%s", got, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			s := cfg.Sources[0].Settings.(*github.Settings)
			if s.LockfilePath != tt.from || s.Package != tt.pkg {
				t.Errorf("deployed_from, package = %q, %q; want %q, %q", s.LockfilePath, s.Package, tt.from, tt.pkg)
			}
			cfg.Dir = "/srv/dw"
			if got := cfg.Resolve(s.LockfilePath); got != tt.resolve {
				t.Errorf("Resolve = %q, want %q", got, tt.resolve)
			}
		})
	}
}
