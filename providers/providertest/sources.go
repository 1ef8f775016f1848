package providertest

import "fmt"

// Each simulated upstream writes the [[source]] table that points
// driftwatch at it, so a test or the demo configures a source without
// spelling its type's keys.

// Source is the [[source]] table of an auth0 source reading this tenant;
// its credentials are in the variables AUTH0_CLIENT_ID and
// AUTH0_CLIENT_SECRET (see Env).
func (a *Auth0) Source(name string) string {
	return fmt.Sprintf(`[[source]]
name = %q
type = "auth0"
domain = %q
base_url = %q
client_id_env = "AUTH0_CLIENT_ID"
client_secret_env = "AUTH0_CLIENT_SECRET"
`, name, a.Domain(), a.URL())
}

// Env holds the variables Source names.
func (a *Auth0) Env() map[string]string {
	return map[string]string{"AUTH0_CLIENT_ID": a.ClientID(), "AUTH0_CLIENT_SECRET": a.ClientSecret()}
}

// Source is the [[source]] table of a github_releases source reading
// this server's repository, the app running deployed.
func (g *GitHub) Source(name, deployed string) string {
	return fmt.Sprintf(`[[source]]
name = %q
type = "github_releases"
repo = %q
deployed = %q
api_url = %q
`, name, g.owner+"/"+g.repo, deployed, g.URL())
}

// Source is the [[source]] table of a feed source reading this feed.
func (f *Feed) Source(name string) string {
	return fmt.Sprintf(`[[source]]
name = %q
type = "feed"
url = %q
`, name, f.URL())
}
