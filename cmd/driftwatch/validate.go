package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/providers"
)

func (a *app) validateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check the config file without touching the network",
		Long: `Load and check the config: every key known, every source complete, every
schedule and JSON Pointer valid, every expectation well-formed, every secret
variable named by a *_env key set. Nothing is fetched.`,
		Example: `  driftwatch validate -c driftwatch.toml`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			if _, err := providers.Build(cfg, providers.Deps{Logger: a.logger}); err != nil {
				return fail(exitUsage, err)
			}
			fmt.Fprintf(a.stdout(), "%s: valid (%d sources, %d expectations)\n", cfg.File, len(cfg.Sources), len(cfg.Expects))
			return nil
		},
	}
}
