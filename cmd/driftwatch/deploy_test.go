package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

// stopBudget is what a stop may take: the scheduler's grace for an
// in-flight poll, then the HTTP server's shutdown. The recipes must give
// more before they kill the process.
const stopBudget = watcher.DefaultGrace + serverShutdown

// unit is a parsed systemd unit: every value of every key, by section.
type unit map[string]map[string][]string

func parseUnit(t *testing.T, text string) unit {
	t.Helper()
	u := unit{}
	section := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("unit line %q", line)
			}
			u[section][k] = append(u[section][k], v)
		}
	}
	return u
}

func (u unit) get(section, key string) string {
	vs := u[section][key]
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

// TestSystemdUnit: the unit's settings, its ExecStart run for real with
// the unit's folders mapped into a temp dir (the store lands in the state
// folder, never the config folder; SIGTERM stops it with exit 0), then
// `systemd-analyze verify` and its offline security score where systemd
// is installed.
func TestSystemdUnit(t *testing.T) {
	text := repoFile(t, "deploy/driftwatch.service")
	u := parseUnit(t, text)
	want := map[string]string{"DynamicUser": "yes", "StateDirectory": "driftwatch", "ConfigurationDirectory": "driftwatch",
		"RestartPreventExitStatus": "2", "Restart": "on-failure", "ProtectSystem": "strict", "NoNewPrivileges": "yes",
		"ProtectHome": "yes", "PrivateTmp": "yes", "CapabilityBoundingSet": "", "SystemCallFilter": "~@privileged"}
	for k, v := range want {
		if got := u.get("Service", k); got != v {
			t.Errorf("%s=%q, want %q", k, got, v)
		}
	}
	timeout, err := time.ParseDuration(u.get("Service", "TimeoutStopSec"))
	if err != nil || timeout <= stopBudget {
		t.Errorf("TimeoutStopSec=%s: want more than %s", u.get("Service", "TimeoutStopSec"), stopBudget)
	}
	state, conf := "/var/lib/"+u.get("Service", "StateDirectory"), "/etc/"+u.get("Service", "ConfigurationDirectory")
	args := strings.Fields(u.get("Service", "ExecStart"))
	if args[0] != "/usr/local/bin/driftwatch" || args[1] != "run" {
		t.Fatalf("ExecStart = %q", args)
	}
	flag := func(name string) string {
		for i, a := range args {
			if a == name && i+1 < len(args) {
				return args[i+1]
			}
		}
		return ""
	}
	if s := flag("--store"); !strings.HasPrefix(s, state+"/") {
		t.Errorf("--store %q is not in the state directory %s", s, state)
	}
	if c := flag("--config"); !strings.HasPrefix(c, conf+"/") {
		t.Errorf("--config %q is not in the configuration directory %s", c, conf)
	}

	// Run the ExecStart line, its folders in a temp dir.
	up := newUpstream(t, `{"ok":true}`)
	root := t.TempDir()
	mapped := strings.NewReplacer(state, filepath.Join(root, "state"), conf, filepath.Join(root, "etc"))
	os.MkdirAll(filepath.Join(root, "state"), 0o700)
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	// The config's relative store.path would land in the config folder;
	// --store must win.
	cfgText := "[store]\npath = \"driftwatch.db\"\n[server]\nlisten = \"" + freeAddr(t) + "\"\n[[source]]\nname = \"orders-db\"\ntype = \"http_json\"\nurl = \"" + up.URL + "\"\n"
	if err := os.WriteFile(mapped.Replace(flag("--config")), []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &cli{t: t, dir: root, env: map[string]string{}}
	var run []string
	for _, a := range args[1:] {
		run = append(run, mapped.Replace(a))
	}
	p := c.startArgs(run...)
	eventually(t, 15*time.Second, "the first poll stored in the state folder", func() bool {
		up.mu.Lock()
		defer up.mu.Unlock()
		return up.requests > 0 && exists(mapped.Replace(flag("--store")))
	})
	if err := stop(p); err != nil {
		t.Errorf("run stopped with %v\n%s", err, p.stderr.String())
	}
	if exists(filepath.Join(root, "etc", "driftwatch.db")) {
		t.Error("the store was created in the configuration folder")
	}
	if !json.Valid([]byte(strings.SplitN(p.stderr.String(), "\n", 2)[0])) {
		t.Errorf("--log-format json: %q", p.stderr.String())
	}

	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze not installed: unit not verified")
		return
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "driftwatch.service")
	os.WriteFile(file, []byte(strings.ReplaceAll(text, "/usr/local/bin/driftwatch", binary(t))), 0o644)
	cmd := exec.Command(sa, "verify", file)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	out, err := exec.Command(sa, "security", "--offline=yes", file).CombinedOutput()
	m := regexp.MustCompile(`Overall exposure level for driftwatch.service: ([0-9.]+)`).FindSubmatch(out)
	if err != nil || m == nil {
		t.Logf("systemd-analyze security --offline unavailable: %v", err)
		return
	}
	if score, _ := strconv.ParseFloat(string(m[1]), 64); score > 2.0 {
		t.Errorf("exposure %s, want at most 2.0 (hardened)\n%s", m[1], out)
	}
}

// stop sends SIGTERM, as systemd and docker do, and waits for the exit.
func stop(p *proc) error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err // for the cleanup
		return err
	case <-time.After(stopBudget + 5*time.Second):
		return fmt.Errorf("still running %s after SIGTERM", stopBudget+5*time.Second)
	}
}

// dockerfile is a Dockerfile's instructions, continuation lines joined.
type instruction struct{ op, args string }

func parseDockerfile(text string) []instruction {
	var out []instruction
	text = strings.ReplaceAll(text, "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		op, args, _ := strings.Cut(line, " ")
		out = append(out, instruction{strings.ToUpper(op), strings.Join(strings.Fields(args), " ")})
	}
	return out
}

func jsonArgs(t *testing.T, s string) []string {
	t.Helper()
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not an exec-form JSON array: %s", s)
	}
	return v
}

// TestDockerfile: the module download layer before the sources, a static
// build with the version flags, the binary as ENTRYPOINT and `run` as CMD,
// a shell-less health check, and a stop timeout longer than the grace.
// The image's ENV, CMD, HEALTHCHECK and STOPSIGNAL are then run against the
// binary, the image's folders mapped into a temp dir.
func TestDockerfile(t *testing.T) {
	text := repoFile(t, "deploy/Dockerfile")
	ins := parseDockerfile(text)
	idx := func(op, contains string) int {
		for i, in := range ins {
			if in.op == op && strings.Contains(in.args, contains) {
				return i
			}
		}
		return -1
	}
	mod, download, src, build := idx("COPY", "go.mod go.sum"), idx("RUN", "go mod download"), idx("COPY", ". ."), idx("RUN", "go build")
	if mod < 0 || !(mod < download && download < src && src < build) {
		t.Errorf("layers: go.mod at %d, download at %d, sources at %d, build at %d", mod, download, src, build)
	}
	for _, f := range append(versionFlags, "CGO_ENABLED=0", "-trimpath", "./cmd/driftwatch") {
		if !strings.Contains(ins[build].args, f) {
			t.Errorf("the build lacks %s: %s", f, ins[build].args)
		}
	}
	m := regexp.MustCompile(`--stop-timeout (\d+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatal("the Dockerfile does not document the stop timeout")
	}
	if n, _ := strconv.Atoi(m[1]); time.Duration(n)*time.Second <= stopBudget {
		t.Errorf("--stop-timeout %s: want more than %s", m[1], stopBudget)
	}
	ignore := repoFile(t, ".dockerignore")
	for _, need := range []string{"go.mod", "go.sum", "cmd", "config", "store", "watcher", "providers", "notify", "monitor", "diff", "rules"} {
		if regexp.MustCompile(`(?m)^/?` + need + `/?$`).MatchString(ignore) {
			t.Errorf(".dockerignore excludes %s, which the build needs", need)
		}
	}
	image := imageOf(t, ins)
	release := imageOf(t, parseDockerfile(repoFile(t, "deploy/Dockerfile.release")))
	if fmt.Sprint(image) != fmt.Sprint(release) {
		t.Errorf("deploy/Dockerfile.release runs differently:\n%+v\n%+v", release, image)
	}
	if len(image.entrypoint) != 1 || image.cmd[0] != "run" || image.health[0] != image.entrypoint[0] || image.health[1] != "healthcheck" ||
		image.stop != "SIGTERM" {
		t.Fatalf("image = %+v", image)
	}

	// Run it as the container would: ENV, ENTRYPOINT + CMD, HEALTHCHECK,
	// `docker run IMAGE check`, then the stop signal.
	up := newUpstream(t, `{"ok":true}`)
	root := t.TempDir()
	c := &cli{t: t, dir: root, env: map[string]string{}}
	addr := freeAddr(t)
	_, port, _ := strings.Cut(addr, ":")
	for k, v := range image.env {
		v = strings.ReplaceAll(v, "/var/lib/driftwatch", filepath.Join(root, "state"))
		v = strings.ReplaceAll(v, "/etc/driftwatch", filepath.Join(root, "etc"))
		v = strings.ReplaceAll(v, ":9464", ":"+port)
		c.env[k] = v
	}
	os.MkdirAll(filepath.Join(root, "state"), 0o700)
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.WriteFile(c.env["DRIFTWATCH_CONFIG"], []byte("[[source]]\nname = \"orders-db\"\ntype = \"http_json\"\nurl = \""+up.URL+"\"\n"), 0o644)
	d := c.startArgs(image.cmd...)
	eventually(t, 15*time.Second, "the health check to pass", func() bool { return c.execArgs(image.health[1:]...).code == 0 })
	if !exists(filepath.Join(root, "state", "driftwatch.db")) {
		t.Error("the store is not on the volume")
	}
	if r := c.execArgs("check", "--max-age", "1h"); r.code != 0 || !strings.HasPrefix(r.stdout, "PASS") {
		t.Errorf("docker run IMAGE check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if err := stop(d); err != nil {
		t.Errorf("run stopped with %v\n%s", err, d.stderr.String())
	}
}

type image struct {
	entrypoint, cmd, health []string
	env                     map[string]string
	stop                    string
}

func imageOf(t *testing.T, ins []instruction) image {
	t.Helper()
	img := image{env: map[string]string{}}
	for _, in := range ins {
		switch in.op {
		case "FROM":
			img = image{env: map[string]string{}} // the last stage is the image
		case "ENTRYPOINT":
			img.entrypoint = jsonArgs(t, in.args)
		case "CMD":
			img.cmd = jsonArgs(t, in.args)
		case "HEALTHCHECK":
			_, after, _ := strings.Cut(in.args, "CMD ")
			img.health = jsonArgs(t, after)
		case "STOPSIGNAL":
			img.stop = in.args
		case "ENV":
			for _, kv := range strings.Fields(in.args) {
				k, v, _ := strings.Cut(kv, "=")
				img.env[k] = v
			}
		}
	}
	return img
}
