package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

// The release linker flags the test binary is built with.
const (
	testVersion = "v0.0.0-test"
	testCommit  = "0123456789ab"
	testDate    = "2026-11-02T09:00:00Z"
)

// TestMain removes the binary the tests built, so a run leaves nothing
// behind in the temp folder.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binary builds the real driftwatch binary once per test run, with the
// linker flags a release build sets.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "driftwatch-bin")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "driftwatch")
		ldflags := fmt.Sprintf("-X main.version=%s -X main.commit=%s -X main.date=%s", testVersion, testCommit, testDate)
		out, err := exec.Command("go", "build", "-ldflags", ldflags, "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// proc is a running driftwatch process.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs the binary on the CLI's config, in its folder, with its
// environment.
func (c *cli) start(args ...string) *proc {
	c.t.Helper()
	return c.startArgs(append([]string{"-c", filepath.Join(c.dir, "driftwatch.toml")}, args...)...)
}

// startArgs runs the binary with exactly these arguments.
func (c *cli) startArgs(args ...string) *proc {
	c.t.Helper()
	cmd := exec.Command(binary(c.t), args...)
	cmd.Dir = c.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + c.dir}
	for k, v := range c.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &proc{cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	c.t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	return p
}

// exec runs the binary on the CLI's config to completion.
func (c *cli) exec(args ...string) result {
	c.t.Helper()
	return c.execArgs(append([]string{"-c", filepath.Join(c.dir, "driftwatch.toml")}, args...)...)
}

// execArgs runs the binary with exactly these arguments to completion.
func (c *cli) execArgs(args ...string) result {
	c.t.Helper()
	p := c.startArgs(args...)
	select {
	case err := <-p.done:
		p.done <- err
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		return result{p.stdout.String(), p.stderr.String(), code}
	case <-time.After(60 * time.Second):
		c.t.Fatalf("driftwatch %s did not finish", strings.Join(args, " "))
	}
	return result{}
}

// freeAddr returns a loopback address nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
