package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/driftwatch/driftwatch/config"
)

// flagValues are the values shell completion offers for the flags that
// take one of a fixed set. --format differs per command (formatValues).
var flagValues = map[string][]string{
	"fail-on":    {"info", "warning", "breaking"},
	"state":      {"open", "acked", "resolved", "all"},
	"log-format": {"text", "json"},
}

// formatValues lists each command's --format values; text and json where
// not listed.
var formatValues = map[string][]string{
	"check": {"text", "json", "github", "markdown"},
}

// sourceArgCommands take a source name as their first argument.
var sourceArgCommands = []string{"diff", "history", "show"}

// addCompletions registers value completion on every command: the fixed
// values above, and the configured source names for --source and for the
// SOURCE argument. Cobra's `completion` command writes the scripts.
func (a *app) addCompletions(root *cobra.Command) {
	fixed := func(vals []string) cobra.CompletionFunc {
		return cobra.FixedCompletions(vals, cobra.ShellCompDirectiveNoFileComp)
	}
	_ = root.RegisterFlagCompletionFunc("log-format", fixed(flagValues["log-format"]))
	for _, cmd := range root.Commands() {
		name := cmd.Name()
		if cmd.Flags().Lookup("format") != nil {
			vals, ok := formatValues[name]
			if !ok {
				vals = []string{"text", "json"}
			}
			_ = cmd.RegisterFlagCompletionFunc("format", fixed(vals))
		}
		for flag, vals := range flagValues {
			if cmd.LocalFlags().Lookup(flag) != nil {
				_ = cmd.RegisterFlagCompletionFunc(flag, fixed(vals))
			}
		}
		if cmd.Flags().Lookup("source") != nil {
			_ = cmd.RegisterFlagCompletionFunc("source", a.completeSources)
		}
		if slices.Contains(sourceArgCommands, name) && cmd.ValidArgsFunction == nil {
			cmd.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
				if len(args) > 0 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return a.completeSources(cmd, args, toComplete)
			}
		}
	}
}

// completeSources offers the names of the configured sources; the config
// is read without its secrets, and a config that does not load offers
// nothing.
func (a *app) completeSources(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	cfg, err := config.LoadReadOnly(a.configFile(), a.env.LookupEnv)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, s := range cfg.Sources {
		if strings.HasPrefix(s.Name, toComplete) {
			out = append(out, cobra.CompletionWithDesc(s.Name, s.Type))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
