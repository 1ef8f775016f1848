package main

import (
	"net/http"

	"github.com/driftwatch/driftwatch/api"
	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/web"
)

// serveConsole adds the API (/api/v1/, on only with a token) and the web
// view (/, behind the read token when one is set) to the daemon's mux.
func (a *app) serveConsole(mux *http.ServeMux, console *api.Local, cfg *config.Config) {
	tokens := api.Tokens{Read: cfg.Server.APIToken.Reveal(), Write: cfg.Server.APIWriteToken.Reveal()}
	api.NewServer(console, tokens, a.logger).Register(mux)
	web.New(console, tokens, a.logger).Register(mux)
	if tokens.Enabled() {
		a.logger.Info("serving the API under /api/v1/ and the web view at /, behind the API token")
	} else {
		a.logger.Info("serving the web view at /; the API is off (set server.api_token_env or api_token_file)")
	}
}

// serverChanged reports a [server] change, which needs a restart.
func serverChanged(a, b config.Server) bool {
	return a.Listen != b.Listen || a.PublicURL != b.PublicURL ||
		!a.APIToken.Equal(b.APIToken) || !a.APIWriteToken.Equal(b.APIWriteToken)
}
