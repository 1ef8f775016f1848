package lockfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/lockfile"
)

func TestVersion(t *testing.T) {
	tests := []struct {
		file     string
		format   lockfile.Format
		names    []string
		wantName string
		want     string
	}{
		// npm v1: a top-level dependency; a copy nested under another package.
		{"package-lock-v1.json", lockfile.NPM, []string{"@auth0/nextjs-auth0", "nextjs-auth0"}, "@auth0/nextjs-auth0", "0.10.0"},
		{"package-lock-v1.json", lockfile.NPM, []string{"terser"}, "terser", "4.6.7"},
		// npm v2: the root's install beats nested copies.
		{"package-lock-v2.json", lockfile.NPM, []string{"@nrwl/devkit"}, "@nrwl/devkit", "15.0.13"},
		{"package-lock-v2.json", lockfile.NPM, []string{"js-yaml"}, "js-yaml", "3.14.1"},
		// npm v3.
		{"package-lock-v3.json", lockfile.NPM, []string{"@auth0/nextjs-auth0", "nextjs-auth0"}, "@auth0/nextjs-auth0", "4.13.0"},
		{"package-lock-v3.json", lockfile.NPM, []string{"@auth0/auth0-auth-js"}, "@auth0/auth0-auth-js", "1.2.0"},
		// The root's sonner (not in the excerpt's node_modules) is absent:
		// only the nested copy is there.
		{"package-lock-v3.json", lockfile.NPM, []string{"sonner"}, "sonner", "2.0.7"},
		// pnpm 5.4 workspaces: a workspace dependency, a peer suffix, a transitive package.
		{"pnpm-lock-v5.yaml", lockfile.PNPM, []string{"@auth0/nextjs-auth0"}, "@auth0/nextjs-auth0", "2.6.2"},
		{"pnpm-lock-v5.yaml", lockfile.PNPM, []string{"@auth0/auth0-react"}, "@auth0/auth0-react", "2.1.1"},
		{"pnpm-lock-v5.yaml", lockfile.PNPM, []string{"@auth0/auth0-spa-js"}, "@auth0/auth0-spa-js", "2.0.8"},
		{"pnpm-lock-v5.yaml", lockfile.PNPM, []string{"typescript"}, "typescript", "4.9.5"}, // the root's, not apps/vitejs's 5.1.3
		{"pnpm-lock-v5.yaml", lockfile.PNPM, []string{"@babel/code-frame"}, "@babel/code-frame", "7.22.5"},
		{"pnpm-lock-v5.yaml", lockfile.PNPM, []string{"@babel/helper-compilation-targets"}, "@babel/helper-compilation-targets", "7.22.5"},
		// pnpm 6: top-level dependencies with specifier and peer-suffixed version.
		{"pnpm-lock-v6.yaml", lockfile.PNPM, []string{"next"}, "next", "13.0.0"},
		{"pnpm-lock-v6.yaml", lockfile.PNPM, []string{"@babel/core"}, "@babel/core", "7.21.3"},
		{"pnpm-lock-v6.yaml", lockfile.PNPM, []string{"@babel/helper-compilation-targets"}, "@babel/helper-compilation-targets", "7.20.7"},
		// pnpm 9: a file: tarball resolved through its packages entry.
		{"pnpm-lock-v9.yaml", lockfile.PNPM, []string{"@auth0/nextjs-auth0"}, "@auth0/nextjs-auth0", "4.14.0"},
		{"pnpm-lock-v9.yaml", lockfile.PNPM, []string{"react-dom"}, "react-dom", "19.0.1"},
		{"pnpm-lock-v9.yaml", lockfile.PNPM, []string{"@panva/hkdf"}, "@panva/hkdf", "1.2.1"},
		// yarn classic: several descriptors on one line; two entries of one package.
		{"yarn-classic.lock", lockfile.Yarn, []string{"@auth0/auth0-spa-js", "auth0-spa-js"}, "@auth0/auth0-spa-js", "1.11.0"},
		{"yarn-classic.lock", lockfile.Yarn, []string{"@babel/code-frame"}, "@babel/code-frame", "7.10.4"},
		{"yarn-classic.lock", lockfile.Yarn, []string{"@ampproject/toolbox-core"}, "@ampproject/toolbox-core", "2.6.0"},
		// yarn berry: the workspace's range wins over a higher copy; an alias names itself.
		{"yarn-berry.lock", lockfile.Yarn, []string{"@isaacs/cliui"}, "@isaacs/cliui", "8.0.2"},
		{"yarn-berry.lock", lockfile.Yarn, []string{"cliui"}, "cliui", "8.0.1"},
		{"yarn-berry.lock", lockfile.Yarn, []string{"string-width"}, "string-width", "5.1.2"},
		{"yarn-berry.lock", lockfile.Yarn, []string{"string-width-cjs"}, "string-width-cjs", "4.2.3"},
		// go.mod: a direct require; a module path with its major suffix.
		{"go.mod.txt", lockfile.GoMod, []string{"github.com/auth0/go-auth0"}, "github.com/auth0/go-auth0", "v1.1.0"},
		{"go.mod.txt", lockfile.GoMod, []string{"github.com/AlecAivazis/survey"}, "github.com/AlecAivazis/survey/v2", "v2.3.7"},
		{"go.mod.txt", lockfile.GoMod, []string{"github.com/decred/dcrd/dcrec/secp256k1"}, "github.com/decred/dcrd/dcrec/secp256k1/v4", "v4.2.0"},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.names[0], func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			name := tt.file
			if tt.format == lockfile.GoMod {
				name = "go.mod"
			}
			f, err := lockfile.Detect(name, data)
			if err != nil || f != tt.format {
				t.Fatalf("Detect(%s) = %q, %v; want %q", tt.file, f, err, tt.format)
			}
			got, err := lockfile.Version(f, data, tt.names...)
			if err != nil {
				t.Fatalf("Version: %v", err)
			}
			if got.Name != tt.wantName || got.Version != tt.want {
				t.Errorf("Version(%v) = %s@%s, want %s@%s", tt.names, got.Name, got.Version, tt.wantName, tt.want)
			}
		})
	}
}

func TestVersionNotFound(t *testing.T) {
	for _, file := range []string{"package-lock-v1.json", "package-lock-v3.json", "pnpm-lock-v5.yaml", "pnpm-lock-v9.yaml", "yarn-classic.lock", "yarn-berry.lock", "go.mod.txt"} {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		f, err := lockfile.Detect(file, data)
		if err != nil {
			t.Fatalf("Detect(%s): %v", file, err)
		}
		_, err = lockfile.Version(f, data, "@auth0/not-a-package", "github.com/auth0/not-a-module")
		if !errors.Is(err, lockfile.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", file, err)
		}
	}
}

func TestGoModReplace(t *testing.T) {
	base := "module example.com/app\n\ngo 1.22\n\nrequire github.com/auth0/go-auth0 v1.4.0\n"
	tests := []struct {
		name, extra, want, wantErr string
	}{
		{"OK", "", "v1.4.0", ""},
		{"Replaced", "replace github.com/auth0/go-auth0 => github.com/acme/go-auth0 v1.4.1-acme.1\n", "v1.4.1-acme.1", ""},
		{"ReplacedOtherVersion", "replace github.com/auth0/go-auth0 v1.0.0 => github.com/acme/go-auth0 v1.0.1\n", "v1.4.0", ""},
		{"ErrLocalDirectory", "replace github.com/auth0/go-auth0 => ../go-auth0\n", "", "replaced by the directory ../go-auth0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := lockfile.Version(lockfile.GoMod, []byte(base+tt.extra), "github.com/auth0/go-auth0")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got.Version != tt.want {
				t.Fatalf("Version = %q, %v; want %q", got.Version, err, tt.want)
			}
		})
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		f    lockfile.Format
		data string
	}{
		{lockfile.NPM, `{"packages": `},
		{lockfile.NPM, `{"name": "x"}`},
		{lockfile.PNPM, "lockfileVersion: [\n"},
		{lockfile.PNPM, "importers: {}\n"},
		{lockfile.Yarn, "__metadata:\n  version: [\n"},
		{lockfile.GoMod, "module\nrequire (\n"},
	}
	for _, tt := range tests {
		if _, err := lockfile.Version(tt.f, []byte(tt.data), "x"); err == nil || errors.Is(err, lockfile.ErrNotFound) {
			t.Errorf("%s %q: err = %v, want a parse error", tt.f, tt.data, err)
		}
	}
}

func TestDetectUnknown(t *testing.T) {
	if _, err := lockfile.Detect("deps.txt", []byte("hello")); err == nil {
		t.Fatal("Detect accepted an unknown file")
	}
}

// TestPackagesAgreeWithVersion: the package map a client sends a server
// resolves each package as Version does.
func TestPackagesAgreeWithVersion(t *testing.T) {
	for _, file := range []string{"package-lock-v1.json", "package-lock-v2.json", "package-lock-v3.json", "pnpm-lock-v5.yaml",
		"pnpm-lock-v6.yaml", "pnpm-lock-v9.yaml", "yarn-classic.lock", "yarn-berry.lock", "go.mod.txt"} {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		name := file
		if strings.HasPrefix(file, "go.mod") {
			name = "go.mod"
		}
		f, _ := lockfile.Detect(name, data)
		pkgs, err := lockfile.Packages(f, data)
		if err != nil || len(pkgs) == 0 {
			t.Fatalf("%s: Packages = %d, %v", file, len(pkgs), err)
		}
		for pkg := range pkgs {
			want, err := lockfile.Version(f, data, pkg)
			got, ok := lockfile.Lookup(pkgs, pkg)
			if err != nil || !ok || got != want {
				t.Errorf("%s %s: Lookup = %+v, %v; Version = %+v, %v", file, pkg, got, ok, want, err)
			}
		}
	}
	pkgs := map[string]string{"github.com/auth0/go-auth0": "v1.1.0", "github.com/auth0/go-auth0/v2": "v2.3.0"}
	if m, ok := lockfile.Lookup(pkgs, "github.com/auth0/go-auth0"); !ok || m.Version != "v1.1.0" {
		t.Errorf("exact path first: %+v", m)
	}
	delete(pkgs, "github.com/auth0/go-auth0")
	if m, ok := lockfile.Lookup(pkgs, "github.com/auth0/go-auth0"); !ok || m.Name != "github.com/auth0/go-auth0/v2" {
		t.Errorf("major path: %+v", m)
	}
}
