package main

import (
	"archive/zip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestInstallFromModuleProxy builds driftwatch the way
// `go install github.com/driftwatch/driftwatch/cmd/driftwatch@v1.2.3` does:
// this tree is served as version v1.2.3 of the module by a file proxy (the
// dependencies come from the local module cache's download folder), and
// the go command installs it into a fresh module cache. The binary must
// say v1.2.3, read from its build info. It builds everything again, so it
// runs only when DRIFTWATCH_TEST_INSTALL=1 (.ci/run sets it).
func TestInstallFromModuleProxy(t *testing.T) {
	if os.Getenv("DRIFTWATCH_TEST_INSTALL") != "1" {
		t.Skip("set DRIFTWATCH_TEST_INSTALL=1 to install from a module proxy (.ci/run does)")
	}
	const mod, ver = "github.com/driftwatch/driftwatch", "v1.2.3"
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	cacheDownload := filepath.Join(strings.TrimSpace(string(out)), "cache", "download")

	proxy := t.TempDir()
	at := filepath.Join(proxy, mod, "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	goMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"list": ver + "\n", ver + ".info": `{"Version":"` + ver + `","Time":"2026-11-02T09:00:00Z"}`, ver + ".mod": string(goMod),
	} {
		if err := os.WriteFile(filepath.Join(at, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeModuleZip(t, root, filepath.Join(at, ver+".zip"), mod+"@"+ver+"/")

	home := t.TempDir()
	bin := filepath.Join(home, "bin")
	cmd := exec.Command("go", "install", "-trimpath", mod+"/cmd/driftwatch@"+ver)
	cmd.Dir = home
	cmd.Env = append(os.Environ(),
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(cacheDownload),
		"GOMODCACHE="+filepath.Join(home, "mod"), "GOBIN="+bin,
		"GOSUMDB=off", "GOFLAGS=-modcacherw", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	got, err := exec.Command(filepath.Join(bin, "driftwatch"), "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(got), "driftwatch "+ver+" (commit unknown, go") {
		t.Errorf("version = %q, want driftwatch %s", got, ver)
	}
}

// writeModuleZip zips the module's files as the module proxy protocol
// serves them: every file tracked or not ignored by git, under
// module@version/.
func writeModuleZip(t *testing.T, root, file, prefix string) {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "--cached", "--others", "--exclude-standard", "-z")
	cmd.Dir = root
	list, err := cmd.Output()
	if err != nil {
		t.Skipf("git ls-files: %v (needs a git checkout)", err)
	}
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, name := range strings.Split(strings.TrimRight(string(list), "\x00"), "\x00") {
		b, err := os.ReadFile(filepath.Join(root, name))
		if os.IsNotExist(err) {
			continue // deleted, not yet committed
		}
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(prefix + filepath.ToSlash(name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}
