package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// manCommand writes man pages (section 1) for driftwatch and each of its
// commands; `make man` runs it. Hidden: it serves packagers, not users.
func (a *app) manCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "man DIR",
		Short:  "Write man pages for every command into DIR",
		Args:   cobra.ExactArgs(1),
		Hidden: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return fail(exitUsage, err)
			}
			b := currentBuild()
			header := &doc.GenManHeader{Title: "DRIFTWATCH", Section: "1", Source: "driftwatch " + b.Version, Manual: "driftwatch manual"}
			root := cmd.Root()
			root.DisableAutoGenTag = true
			if err := doc.GenManTree(root, header, args[0]); err != nil {
				return fail(exitUsage, err)
			}
			fmt.Fprintf(a.stdout(), "man pages written to %s\n", args[0])
			return nil
		},
	}
}
