package main

import (
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// TestDeriveBuild: linker flags win; else the module version the go
// command records for `go install ...@v1.2.3`; else the VCS stamp of a
// clone; else "dev".
func TestDeriveBuild(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-11-02T09:00:00Z"}}
	tests := []struct {
		name             string
		info             *debug.BuildInfo
		ldV, ldC, ldD    string
		wantV, wantC, wD string
	}{
		{"OK/Module", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/driftwatch/driftwatch", Version: "v1.2.3"}},
			"", "", "", "v1.2.3", "unknown", ""},
		{"OK/PseudoVersion", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261102090000-abcdef123456"}},
			"", "", "", "v0.0.0-20261102090000-abcdef123456", "abcdef123456", ""},
		{"OK/Clone", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs},
			"", "", "", "dev", "0123456789ab", "2026-11-02T09:00:00Z"},
		{"OK/Dirty", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: append(vcs, debug.BuildSetting{Key: "vcs.modified", Value: "true"})},
			"", "", "", "dev", "0123456789ab-dirty", "2026-11-02T09:00:00Z"},
		{"OK/LinkerFlags", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: vcs},
			"v1.3.0", "feedface", "2026-12-01T00:00:00Z", "v1.3.0", "feedface", "2026-12-01T00:00:00Z"},
		{"OK/NoInfo", nil, "", "", "", "dev", "unknown", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := deriveBuild(tt.info, tt.ldV, tt.ldC, tt.ldD)
			if b.Version != tt.wantV || b.Commit != tt.wantC || b.Date != tt.wD {
				t.Errorf("got %+v, want version %q commit %q date %q", b, tt.wantV, tt.wantC, tt.wD)
			}
			if b.GoVersion == "" {
				t.Error("no Go version")
			}
		})
	}
	line := deriveBuild(&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}}, "", "abc", "2026-11-02T09:00:00Z").String()
	want := "driftwatch v1.2.3 (commit abc, built 2026-11-02T09:00:00Z, go1.26.8 " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	if line != want {
		t.Errorf("String() = %q, want %q", line, want)
	}
}

// TestVersionOfReleaseBuild: the binary the tests build carries release
// linker flags, and both `version` and `--version` print them.
func TestVersionOfReleaseBuild(t *testing.T) {
	c := newCLI(t, "")
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := c.exec(args...)
		if r.code != 0 {
			t.Fatalf("driftwatch %s: exit %d\n%s", args[0], r.code, r.stderr)
		}
		want := "driftwatch " + testVersion + " (commit " + testCommit + ", built " + testDate + ", go"
		if !strings.HasPrefix(r.stdout, want) || strings.Count(r.stdout, "\n") != 1 {
			t.Errorf("driftwatch %s = %q, want %q...", args[0], r.stdout, want)
		}
	}
}

// TestVersionInProcess: a test binary has no linker flags and no module
// version, so it says "dev".
func TestVersionInProcess(t *testing.T) {
	r := newCLI(t, "").mustRun(0, "version")
	if !regexp.MustCompile(`^driftwatch dev \(commit \S+, .*go1\.\d+`).MatchString(r.stdout) {
		t.Errorf("version = %q", r.stdout)
	}
}
