package main

import "github.com/driftwatch/driftwatch/providers/providertest"

// auth0Source is the [[source]] table that points "auth0-prod" at a
// simulated tenant; useAuth0 gives the CLI its credentials.
func auth0Source(sim *providertest.Auth0) string {
	return `[[source]]
name = "auth0-prod"
type = "auth0"
domain = "` + sim.Domain() + `"
base_url = "` + sim.URL() + `"
client_id_env = "AUTH0_CLIENT_ID"
client_secret_env = "AUTH0_CLIENT_SECRET"
`
}

// useAuth0 sets the environment variables auth0Source names.
func (c *cli) useAuth0(sim *providertest.Auth0) {
	c.env["AUTH0_CLIENT_ID"] = sim.ClientID()
	c.env["AUTH0_CLIENT_SECRET"] = sim.ClientSecret()
}
