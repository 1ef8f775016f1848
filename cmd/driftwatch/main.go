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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], Env{Stdout: os.Stdout, Stderr: os.Stderr, LookupEnv: os.LookupEnv})
	stop()
	os.Exit(code)
}
