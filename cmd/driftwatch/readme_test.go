package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

// readmeCommands returns every command shown in the README's shell blocks
// and the run: lines of its YAML blocks.
func readmeCommands(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	fence := regexp.MustCompile("(?s)```(sh|yaml)\n(.*?)```")
	var out []string
	for _, m := range fence.FindAllStringSubmatch(string(b), -1) {
		for _, line := range strings.Split(m[2], "\n") {
			line = strings.TrimSpace(line)
			if m[1] == "yaml" {
				rest, ok := strings.CutPrefix(line, "run: ")
				if !ok {
					continue
				}
				line = rest
			}
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			out = append(out, line)
		}
	}
	return out
}

// words splits a command line as a shell would, for the simple quoting
// the README uses; what follows || or a > redirection is not part of the
// command.
func words(line string) []string {
	for _, sep := range []string{" || ", " > "} {
		if i := strings.Index(line, sep); i >= 0 {
			line = line[:i]
		}
	}
	var out []string
	var cur strings.Builder
	quote := byte(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteByte(c)
		case c == '"' || c == '\'':
			quote = c
		case c == ' ':
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// TestREADMECommands runs every driftwatch command the README shows,
// against simulated upstreams named as in the README, with the config found
// the default way ($DRIFTWATCH_CONFIG). A documented command must never be
// a usage error.
func TestREADMECommands(t *testing.T) {
	sim := providertest.NewAuth0(providertest.Auth0Options{})
	defer sim.Close()
	gh := providertest.NewGitHub("auth0/auth0-spa-js", releases(20)...)
	defer gh.Close()
	c := newCLI(t, `
[store]
path = "driftwatch.db"

[[source]]
name = "auth0-prod"
type = "auth0"
domain = "`+sim.Domain()+`"
base_url = "`+sim.URL()+`"
client_id_env = "AUTH0_CLIENT_ID"
client_secret_env = "AUTH0_CLIENT_SECRET"

[[source]]
name = "auth0-spa-js"
type = "github_releases"
repo = "auth0/auth0-spa-js"
deployed = "2.1.3"
api_url = "`+gh.URL()+`"
`)
	c.env["AUTH0_CLIENT_ID"] = sim.ClientID()
	c.env["AUTH0_CLIENT_SECRET"] = sim.ClientSecret()
	c.env["DRIFTWATCH_CONFIG"] = filepath.Join(c.dir, "driftwatch.toml")
	// The daemon's API over the same store, for --server and curl lines.
	server := readmeServer(t, c)
	c.env["DRIFTWATCH_TOKEN"] = readmeToken
	vars := map[string]string{"DRIFTWATCH_SERVER": server, "DRIFTWATCH_TOKEN": readmeToken}

	covered := map[string]string{
		"go test ./...": "this very run",
		"go install github.com/driftwatch/driftwatch/cmd/driftwatch@latest": "needs the network; the build itself is exercised by the binary tests",
		"CGO_ENABLED=0 go build -o driftwatch ./cmd/driftwatch":             "the binary tests build it the same way",
		"driftwatch check --lockfile package-lock.json --format github":     "TestCheckLockfile runs it against a real lockfile",
		"driftwatch notify test": "TestNotifyTestOverTheBinary runs it against simulated receivers",
	}
	cmds := readmeCommands(t)
	if len(cmds) < 10 {
		t.Fatalf("found only %d README commands", len(cmds))
	}
	ran := 0
	for _, line := range cmds {
		line = strings.ReplaceAll(line, readmeServerURL, server)
		w := words(os.Expand(line, func(k string) string { return vars[k] }))
		switch {
		case covered[line] != "":
			continue
		case w[0] == "export":
			continue // the secrets, set in c.env above
		case w[0] == "curl":
			readmeCurl(t, line, w[1:])
			ran++
			continue
		case len(w) >= 3 && w[0] == "go" && w[1] == "run" && w[2] == "./cmd/driftwatch":
			w = append([]string{"driftwatch"}, w[3:]...)
		case w[0] == "./driftwatch": // the binary just built
			w[0] = "driftwatch"
		case w[0] != "driftwatch":
			t.Errorf("README command %q: not handled by this test", line)
			continue
		}
		if len(w) > 1 && w[1] == "run" {
			continue // the daemon: TestDaemon runs it
		}
		var out, errOut bytes.Buffer
		env := Env{Stdout: &out, Stderr: &errOut, LookupEnv: func(k string) (string, bool) {
			v, ok := c.env[k]
			return v, ok
		}}
		code := Main(context.Background(), w[1:], env)
		ran++
		if code == exitUsage || (w[1] == "validate" && code != 0) {
			t.Errorf("README command %q: exit %d\n%s", line, code, errOut.String())
		}
	}
	t.Logf("ran %d README commands", ran)
}

// TestExampleConfigValidates: the example config is valid once its secret
// variables are set, and names each one when they are not.
func TestExampleConfigValidates(t *testing.T) {
	example, err := filepath.Abs(filepath.Join("..", "..", "config.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"SLACK_WEBHOOK_URL": "https://hooks.slack.invalid/services/T/B/X",
		"AUTH0_CLIENT_ID": "id", "AUTH0_CLIENT_SECRET": "secret", "ORDERS_DB_AUTH": "Bearer x"}
	run := func(env map[string]string) result {
		var out, errOut bytes.Buffer
		code := Main(context.Background(), []string{"validate", "-c", example}, Env{Stdout: &out, Stderr: &errOut,
			LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
		return result{out.String(), errOut.String(), code}
	}
	if r := run(secrets); r.code != 0 || !strings.Contains(r.stdout, "valid") {
		t.Fatalf("validate config.example.toml: exit %d\n%s", r.code, r.stderr)
	}
	r := run(nil)
	if r.code != 2 {
		t.Fatalf("without its variables: exit %d, want 2", r.code)
	}
	for name := range secrets {
		if !strings.Contains(r.stderr, name) {
			t.Errorf("the error does not name %s:\n%s", name, r.stderr)
		}
	}
}
