package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

type action struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID   string            `yaml:"id"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// TestAction runs the composite action's check step with bash as a runner
// would: the built binary in $RUNNER_TEMP, the inputs in the step's
// environment, a job summary and an output file. It writes the Markdown
// verdict to the summary, annotations to stdout, the status output, and
// exits with check's code.
func TestAction(t *testing.T) {
	t.Parallel() // runs only the built binary
	var a action
	if err := yaml.Unmarshal([]byte(repoFile(t, "action.yml")), &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q", a.Runs.Using)
	}
	var build, check string
	var checkEnv map[string]string
	for _, s := range a.Runs.Steps {
		switch {
		case strings.Contains(s.Run, "go build"):
			build = s.Run
		case s.ID == "check":
			check, checkEnv = s.Run, s.Env
		}
	}
	for _, f := range []string{"-X main.version=", "-X main.commit=", "./cmd/driftwatch", `"$RUNNER_TEMP/driftwatch"`} {
		if !strings.Contains(build, f) {
			t.Errorf("the build step lacks %s", f)
		}
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	up := newUpstream(t, healthy)
	c := newCLI(t, judgedConfig(up.URL))
	temp := t.TempDir()
	if err := os.Symlink(binary(t), filepath.Join(temp, "driftwatch")); err != nil {
		t.Fatal(err)
	}
	input := regexp.MustCompile(`^\$\{\{ inputs\.([a-z-]+) \}\}$`)
	extraEnv := []string{}
	runStep := func(inputs map[string]string) (result, string, string) {
		t.Helper()
		summary, output := filepath.Join(temp, "summary.md"), filepath.Join(temp, "output")
		os.WriteFile(summary, nil, 0o600)
		os.WriteFile(output, nil, 0o600)
		cmd := exec.Command(bash, "-e", "-c", check)
		cmd.Dir = c.dir
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "RUNNER_TEMP=" + temp, "GITHUB_STEP_SUMMARY=" + summary, "GITHUB_OUTPUT=" + output}, extraEnv...)
		for k, v := range checkEnv {
			m := input.FindStringSubmatch(v)
			if m == nil {
				t.Fatalf("step env %s=%s is not an input", k, v)
			}
			val, ok := inputs[m[1]]
			if !ok {
				val = a.Inputs[m[1]].Default
			}
			cmd.Env = append(cmd.Env, k+"="+val)
		}
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		s, _ := os.ReadFile(summary)
		o, _ := os.ReadFile(output)
		return result{stdout.String(), stderr.String(), code}, string(s), string(o)
	}

	// A pull-request job: refresh polls (the sources need no secrets here).
	r, summary, out := runStep(map[string]string{"config": "driftwatch.toml", "refresh": "true", "max-age": "24h"})
	if r.code != 0 || !strings.HasPrefix(summary, "### driftwatch check: passed") || out != "status=pass\n" {
		t.Fatalf("passing check: exit %d\nsummary:\n%s\noutput: %q\n%s", r.code, summary, out, r.stderr)
	}
	up.set(200, "application/json", `{"plan":{"allowed_origins":[]},"metrics":{"cpu_percent":97}}`)
	r, summary, out = runStep(map[string]string{"refresh": "true", "fail-on": "warning", "sources": "orders-db"})
	if r.code != 1 || !strings.Contains(summary, "### driftwatch check: failed") || !strings.Contains(summary, "| breaking | orders-db |") ||
		!strings.Contains(r.stdout, "::error title=") || !strings.Contains(r.stdout, "::warning title=") || out != "status=fail\n" {
		t.Fatalf("failing check: exit %d\nsummary:\n%s\nstdout:\n%s\noutput: %q\n%s", r.code, summary, r.stdout, out, r.stderr)
	}
	r, _, out = runStep(map[string]string{"config": "missing.toml"})
	if r.code != 2 || out != "" || !strings.Contains(r.stderr, "config file not found") {
		t.Errorf("missing config: exit %d, output %q\n%s", r.code, out, r.stderr)
	}

	// With server: the runner has no config or store, only the daemon's URL
	// and its read token.
	addr := freeAddr(t)
	c.writeConfig(judgedConfig(up.URL) + "\n[server]\nlisten = \"" + addr + "\"\napi_token_env = \"DW_READ_TOKEN\"\n")
	c.env["DW_READ_TOKEN"] = "read-0123456789abcdef"
	c.start("run")
	eventually(t, 15*time.Second, "the daemon's API", func() bool {
		code, _ := getWithToken(t, "http://"+addr+"/api/v1/check", c.env["DW_READ_TOKEN"])
		return code == 200
	})
	extraEnv = []string{"DRIFTWATCH_TOKEN=" + c.env["DW_READ_TOKEN"]}
	runner := t.TempDir()
	c.dir = runner // the step runs in an empty folder
	r, summary, out = runStep(map[string]string{"server": "http://" + addr, "fail-on": "warning"})
	if r.code != 1 || !strings.Contains(summary, "| breaking | orders-db |") || out != "status=fail\n" {
		t.Fatalf("check --server: exit %d\nsummary:\n%s\noutput: %q\n%s", r.code, summary, out, r.stderr)
	}
}
