package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/providers"
)

func (a *app) validateCommand() *cobra.Command {
	var noEnv bool
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check the config file without touching the network",
		Long: `Load and check the config: every key known, every source complete, every
schedule and JSON Pointer valid, every expectation well-formed, every secret
variable named by a *_env key set, every *_file readable. Nothing is fetched.
--no-env checks everything but the secrets' presence: for a pull-request job
that has the config but not the secrets.`,
		Example: `  driftwatch validate -c driftwatch.toml
  driftwatch validate --no-env`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			load, note := a.loadConfig, ""
			if noEnv {
				load, note = a.readConfig, "; secrets not checked"
			}
			cfg, err := load()
			if err != nil {
				return err
			}
			if noEnv {
				cfg.FillMissingSecrets("not-checked")
			}
			if _, err := providers.Build(cfg, providers.Deps{Logger: a.logger}); err != nil {
				return fail(exitUsage, err)
			}
			if !noEnv { // receivers need their secrets to be built
				if _, err := a.receivers(cfg); err != nil {
					return fail(exitUsage, err)
				}
			}
			for _, h := range cfg.Hints {
				fmt.Fprintf(a.env.Stderr, "notice: %s\n", h)
			}
			counts := fmt.Sprintf("%d sources, %d expectations", len(cfg.Sources), len(cfg.Expects))
			if n := len(cfg.AllReceivers()); n > 0 {
				counts += fmt.Sprintf(", %d receivers, %d routes", n, len(cfg.Routes))
			}
			fmt.Fprintf(a.stdout(), "%s: valid (%s%s)\n", cfg.File, counts, note)
			return nil
		},
	}
	cmd.Flags().BoolVar(&noEnv, "no-env", false, "do not require the secrets (*_env variables, *_file files) to be present")
	return cmd
}
