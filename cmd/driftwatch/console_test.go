package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// remoteCLI runs the binary as a CI runner would: in an empty folder, no
// config file, no store, no upstream secret; only the server and a token.
type remoteCLI struct {
	t      *testing.T
	dir    string
	server string
}

func (r *remoteCLI) run(token string, args ...string) result {
	r.t.Helper()
	cmd := exec.Command(binary(r.t), args...)
	cmd.Dir = r.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + r.dir, "USER=ci-runner",
		"DRIFTWATCH_SERVER=" + r.server, "DRIFTWATCH_TOKEN=" + token}
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		r.t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

type checkJSON struct {
	Status   string        `json:"status"`
	Findings []findingView `json:"findings"`
	Silenced []findingView `json:"silenced"`
}

type findingView struct {
	ID          int64  `json:"id"`
	Fingerprint string `json:"fingerprint"`
	Path        string `json:"path"`
	Silence     *struct {
		ID      int64  `json:"id"`
		Comment string `json:"comment"`
		Author  string `json:"author"`
	} `json:"silence"`
	Ack *struct {
		Author    string  `json:"author"`
		ExpiresAt *string `json:"expires_at"`
	} `json:"ack"`
}

func TestConsoleRemote(t *testing.T) {
	t.Parallel() // runs only the built binary
	up := newUpstream(t, `{"metrics":{"cpu_percent":97,"disk_percent":40}}`)
	addr := freeAddr(t)
	c := newCLI(t, `
[store]
path = "dw.db"

[server]
listen = "`+addr+`"
api_token_env = "DW_READ_TOKEN"
api_write_token_env = "DW_WRITE_TOKEN"

[[source]]
name = "orders-db"
type = "http_json"
schedule = "@every 1s"
url = "`+up.URL+`"

  [[source.threshold]]
  path = "/metrics/cpu_percent"
  above = 90
  severity = "breaking"

  [[source.threshold]]
  path = "/metrics/disk_percent"
  above = 90
  severity = "breaking"
`)
	const readTok, writeTok = "read-0123456789abcdef", "write-fedcba9876543210"
	c.env["DW_READ_TOKEN"], c.env["DW_WRITE_TOKEN"] = readTok, writeTok
	d := c.start("run")
	base := "http://" + addr
	remote := &remoteCLI{t: t, dir: t.TempDir(), server: base}

	eventually(t, 15*time.Second, "the cpu finding", func() bool {
		return c.exec("check").code == 1
	})

	// The same verdict, byte for byte, from the store and from the daemon.
	local := c.exec("check", "--format", "json")
	rem := remote.run(readTok, "check", "--format", "json")
	if local.code != 1 || rem.code != 1 || local.stdout != rem.stdout {
		t.Fatalf("check: local exit %d, remote exit %d (%s)\nlocal:\n%s\nremote:\n%s", local.code, rem.code, rem.stderr, local.stdout, rem.stdout)
	}
	code, body := getWithToken(t, base+"/api/v1/check", readTok)
	if code != 200 || body != local.stdout {
		t.Fatalf("GET /api/v1/check = %d\n%s", code, body)
	}
	for _, args := range [][]string{
		{"findings", "--format", "json"}, {"findings"}, {"check"}, {"check", "--format", "github"},
		{"history", "orders-db", "--format", "json"}, {"diff", "orders-db", "--format", "json"}, {"show", "orders-db"},
		{"explain", "1"}, {"explain", "1", "--format", "json"}, {"diff", "orders-db"}, {"history", "orders-db"},
	} {
		l, r := c.exec(args...), remote.run(readTok, args...)
		if l.stdout != r.stdout || l.code != r.code {
			t.Errorf("%v: local exit %d, remote exit %d\nlocal:\n%s\nremote:\n%s%s", args, l.code, r.code, l.stdout, r.stdout, r.stderr)
		}
	}
	for _, args := range [][]string{{"history", "nope"}, {"show", "orders-db", "--snapshot", "99"}, {"ack", "99999"}} {
		if r := remote.run(writeTok, args...); r.code != 1 {
			t.Errorf("remote %v: exit %d, want 1\n%s", args, r.code, r.stderr)
		}
	}

	// A wrong token: 401 without detail, exit 2; the read token cannot ack.
	code, body = getWithToken(t, base+"/api/v1/check", "wrong")
	if code != 401 || strings.Contains(body, "orders-db") || strings.Contains(body, readTok) {
		t.Fatalf("wrong token: %d %s", code, body)
	}
	if r := remote.run("wrong", "check"); r.code != 2 || !strings.Contains(r.stderr, "401") {
		t.Fatalf("check with a wrong token: exit %d\n%s", r.code, r.stderr)
	}
	var cj checkJSON
	if err := json.Unmarshal([]byte(local.stdout), &cj); err != nil || len(cj.Findings) != 1 || cj.Findings[0].Fingerprint == "" {
		t.Fatalf("check JSON: %v\n%s", err, local.stdout)
	}
	fp := cj.Findings[0].Fingerprint
	if r := remote.run(readTok, "ack", fp); r.code != 2 || !strings.Contains(r.stderr, "this token may only read") {
		t.Fatalf("ack with the read token: exit %d\n%s", r.code, r.stderr)
	}

	// Ack by fingerprint over the API, then the gate passes.
	if r := remote.run(writeTok, "ack", fp[:12], "--note", "scaling up on Monday", "--for", "30d", "--author", "ci-bot"); r.code != 0 {
		t.Fatalf("remote ack: exit %d\n%s", r.code, r.stderr)
	}
	if r := remote.run(readTok, "check"); r.code != 0 {
		t.Fatalf("check after ack: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if ex := remote.run(readTok, "explain", fp); ex.code != 0 || !strings.Contains(ex.stdout, "acknowledged by ci-bot until ") ||
		!strings.Contains(ex.stdout, "scaling up on Monday") {
		t.Fatalf("explain after a remote ack: exit %d\n%s%s", ex.code, ex.stdout, ex.stderr)
	}
	acked := remote.run(readTok, "findings", "--state", "acked", "--format", "json")
	if !strings.Contains(acked.stdout, `"author": "ci-bot"`) || !strings.Contains(acked.stdout, `"expires_at": "`) {
		t.Fatalf("acked findings lack the ack's author and expiry:\n%s", acked.stdout)
	}

	// A silence made before the disk fills: no notice and no failing
	// check while it lasts, both once it ends.
	s := remote.run(writeTok, "silence", "add", "--path", "/metrics/disk_percent", "--for", "8s", "--comment", "disk migration tonight")
	if s.code != 0 {
		t.Fatalf("silence add: exit %d\n%s", s.code, s.stderr)
	}
	added := time.Now()
	up.set(200, "application/json", `{"metrics":{"cpu_percent":97,"disk_percent":99},"volumes":[{"name":"data <ssd>","size_gb":500}]}`)
	var silenced checkJSON
	eventually(t, 8*time.Second, "the disk finding, silenced", func() bool {
		r := remote.run(readTok, "check", "--format", "json")
		silenced = checkJSON{}
		json.Unmarshal([]byte(r.stdout), &silenced)
		return r.code == 0 && len(silenced.Silenced) == 1
	})
	if time.Since(added) < 8*time.Second {
		if got := silenced.Silenced[0]; got.Path != "/metrics/disk_percent" || got.Silence == nil || got.Silence.Comment != "disk migration tonight" || got.Silence.Author == "" {
			t.Fatalf("silenced = %+v", got)
		}
		if strings.Contains(d.stdout.String(), "disk_percent is 99") {
			t.Fatalf("a notice was posted for a silenced finding:\n%s", d.stdout.String())
		}
	}
	if r := remote.run(readTok, "silence", "list"); !strings.Contains(r.stdout, "disk migration tonight") {
		t.Fatalf("silence list:\n%s%s", r.stdout, r.stderr)
	}
	eventually(t, 20*time.Second, "the disk finding back after the silence", func() bool {
		return remote.run(readTok, "check").code == 1
	})
	eventually(t, 15*time.Second, "the held notice delivered", func() bool {
		return strings.Contains(d.stdout.String(), "disk_percent is 99")
	})
	if n := strings.Count(d.stdout.String(), "disk_percent is 99"); n != 1 {
		t.Fatalf("disk notice posted %d times:\n%s", n, d.stdout.String())
	}

	// A diff whose values are objects reads the same from the daemon:
	// compact, not re-indented or escaped by the API.
	for _, args := range [][]string{{"diff", "orders-db"}, {"diff", "orders-db", "--format", "json"}} {
		l, r := c.exec(args...), remote.run(readTok, args...)
		if l.stdout != r.stdout || l.code != r.code || !strings.Contains(l.stdout, "volumes") {
			t.Errorf("%v: local exit %d, remote exit %d\nlocal:\n%s\nremote:\n%s%s", args, l.code, r.code, l.stdout, r.stdout, r.stderr)
		}
	}

	// The web view needs the read token too.
	if code, _ := get(t, base+"/"); code != 401 {
		t.Fatalf("GET / without a token = %d", code)
	}
	if code, body := getWithToken(t, base+"/", readTok); code != 200 || !strings.Contains(body, "disk_percent") {
		t.Fatalf("GET / = %d\n%s", code, body)
	}
}

func TestConsoleUnreachable(t *testing.T) {
	remote := &remoteCLI{t: t, dir: t.TempDir(), server: "http://" + freeAddr(t)}
	r := remote.run("tok", "check")
	if r.code != 2 || !strings.Contains(r.stderr, "unreachable") {
		t.Fatalf("check against nothing: exit %d\n%s", r.code, r.stderr)
	}
}

func getWithToken(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
