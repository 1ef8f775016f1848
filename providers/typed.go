package providers

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

type built struct {
	Provider watcher.Provider
	Rules    []watcher.Rule
}

// typed builds the provider types that live in their own packages.
func typed(cfg *config.Config, src *config.Source, exps []config.Expect, hc *http.Client, logger *slog.Logger) (built, watcher.Category, error) {
	_ = expectedBy(exps)
	return built{}, "", fmt.Errorf("source type %q is not available yet", src.Type)
}

func setsOf(typ string) []diff.Pattern { return nil }
