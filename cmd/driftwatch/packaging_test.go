package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// repoFile reads a file at the repository's root.
func repoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// releasePlatforms are the targets every release ships.
var releasePlatforms = []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64", "windows/amd64", "windows/arm64"}

// versionFlags are the -X flags version.go reads.
var versionFlags = []string{"-X main.version=", "-X main.commit=", "-X main.date="}

// TestGoReleaserConfig: static binaries for linux, darwin and windows on
// amd64 and arm64 with the version flags, checksums, an SBOM and a
// multi-arch image whose Dockerfile exists. `goreleaser check` validates
// the schema where the tool is installed (.ci/run).
func TestGoReleaserConfig(t *testing.T) {
	var cfg struct {
		Version int `yaml:"version"`
		Builds  []struct {
			Main    string   `yaml:"main"`
			Binary  string   `yaml:"binary"`
			Env     []string `yaml:"env"`
			Flags   []string `yaml:"flags"`
			Ldflags []string `yaml:"ldflags"`
			Goos    []string `yaml:"goos"`
			Goarch  []string `yaml:"goarch"`
		} `yaml:"builds"`
		Archives []struct {
			Files []string `yaml:"files"`
		} `yaml:"archives"`
		Checksum struct {
			NameTemplate string `yaml:"name_template"`
			Algorithm    string `yaml:"algorithm"`
		} `yaml:"checksum"`
		SBOMs []struct {
			Artifacts string `yaml:"artifacts"`
		} `yaml:"sboms"`
		Dockers []struct {
			Dockerfile string   `yaml:"dockerfile"`
			Images     []string `yaml:"images"`
			Platforms  []string `yaml:"platforms"`
		} `yaml:"dockers_v2"`
	}
	dec := yaml.NewDecoder(strings.NewReader(repoFile(t, ".goreleaser.yaml")))
	dec.KnownFields(false)
	if err := dec.Decode(&cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Version != 2 || len(cfg.Builds) != 1 {
		t.Fatalf("version %d, %d builds", cfg.Version, len(cfg.Builds))
	}
	b := cfg.Builds[0]
	if b.Main != "./cmd/driftwatch" || b.Binary != "driftwatch" || !slices.Contains(b.Env, "CGO_ENABLED=0") || !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("build = %+v", b)
	}
	var got []string
	for _, os := range b.Goos {
		for _, arch := range b.Goarch {
			got = append(got, os+"/"+arch)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, releasePlatforms) {
		t.Errorf("targets = %v, want %v", got, releasePlatforms)
	}
	ld := strings.Join(b.Ldflags, " ")
	for _, f := range versionFlags {
		if !strings.Contains(ld, f) {
			t.Errorf("ldflags lack %s: %s", f, ld)
		}
	}
	for _, a := range cfg.Archives {
		for _, f := range a.Files {
			if m, _ := filepath.Glob(filepath.Join("..", "..", f)); len(m) == 0 {
				t.Errorf("archive file %s matches nothing", f)
			}
		}
	}
	if cfg.Checksum.NameTemplate == "" || cfg.Checksum.Algorithm != "sha256" || len(cfg.SBOMs) == 0 || cfg.SBOMs[0].Artifacts == "" {
		t.Errorf("checksum %+v, sboms %+v", cfg.Checksum, cfg.SBOMs)
	}
	if len(cfg.Dockers) != 1 || !slices.Equal(cfg.Dockers[0].Platforms, []string{"linux/amd64", "linux/arm64"}) || len(cfg.Dockers[0].Images) == 0 {
		t.Fatalf("images = %+v", cfg.Dockers)
	}
	df := repoFile(t, cfg.Dockers[0].Dockerfile)
	if !strings.Contains(df, "COPY $TARGETPLATFORM/driftwatch /usr/local/bin/driftwatch") {
		t.Errorf("%s does not copy the built binary per platform", cfg.Dockers[0].Dockerfile)
	}
	if path, err := exec.LookPath("goreleaser"); err == nil {
		cmd := exec.Command(path, "check")
		cmd.Dir = filepath.Join("..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("goreleaser check: %v\n%s", err, out)
		}
	}
}

// TestMakefileDist: `make dist` builds the release targets with the same
// flags as GoReleaser.
func TestMakefileDist(t *testing.T) {
	mk := repoFile(t, "Makefile")
	m := regexp.MustCompile(`(?m)^PLATFORMS\s*:=\s*(.+)$`).FindStringSubmatch(mk)
	if m == nil {
		t.Fatal("no PLATFORMS in the Makefile")
	}
	got := strings.Fields(m[1])
	slices.Sort(got)
	if !slices.Equal(got, releasePlatforms) {
		t.Errorf("make dist targets = %v, want %v", got, releasePlatforms)
	}
	for _, f := range append(versionFlags, "CGO_ENABLED=0", "-trimpath") {
		if !strings.Contains(mk, f) {
			t.Errorf("Makefile lacks %s", f)
		}
	}
	for _, target := range []string{"test", "test-short", "lint", "bench", "dist", "man"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(target) + `:`).MatchString(mk) {
			t.Errorf("Makefile has no %s target", target)
		}
	}
}
