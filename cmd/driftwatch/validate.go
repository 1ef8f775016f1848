package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/providers"
)

func (a *app) validateCommand() *cobra.Command {
	var noEnv bool
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check the config file without touching the network",
		Long: `Load and check the config: every key known, every source complete, every
schedule and JSON Pointer valid, every expectation well-formed, every secret
variable named by a *_env key set, every *_file and local deployed_from
lockfile readable. Nothing is fetched.
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
			if err := deployedFilesExist(cfg); err != nil {
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
			for _, w := range cfg.Warnings {
				fmt.Fprintf(a.env.Stderr, "warning: %s\n", w)
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

// deployedFilesExist checks that every local deployed_from lockfile is a
// readable file (resolved against the config's folder, as polls read it);
// a URL is not fetched: validate touches no network.
func deployedFilesExist(cfg *config.Config) error {
	var errs []error
	for _, src := range cfg.Sources {
		from := src.DeployedFrom()
		if from == "" {
			continue
		}
		if u, err := url.Parse(from); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			continue
		}
		path := cfg.Resolve(from)
		msg := ""
		switch st, err := os.Stat(path); {
		case errors.Is(err, os.ErrNotExist):
			msg = "no such file"
		case err != nil:
			msg = "cannot read it"
		case st.IsDir():
			msg = "a folder, not a lockfile"
		default:
			f, err := os.Open(path)
			if err != nil {
				msg = "cannot read it"
			} else {
				f.Close()
			}
		}
		if msg != "" {
			errs = append(errs, &config.Error{File: cfg.File, Line: src.Line,
				Msg: fmt.Sprintf("source %q: deployed_from %s: %s", src.Name, path, msg)})
		}
	}
	return errors.Join(errs...)
}
