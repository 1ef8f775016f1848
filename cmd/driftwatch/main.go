// Command driftwatch watches the things outside a codebase that a deployed
// app depends on — identity-provider settings, SDK releases, provider
// changelogs, any JSON endpoint — and warns before they break it.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// A closed stdout pipe must end a command with exit 2 and a message,
	// not kill it silently with SIGPIPE: a gate reading our verdict must
	// never take a dead reader for a pass. Asking for SIGPIPE turns the
	// signal into EPIPE errors on write.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], Env{Stdout: os.Stdout, Stderr: os.Stderr, LookupEnv: os.LookupEnv})
	stop()
	os.Exit(code)
}
