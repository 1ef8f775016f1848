// Package providertest runs simulated upstreams — an Auth0 tenant, GitHub
// releases, a changelog feed, a JSON endpoint, Slack — on loopback, speaking
// the real wire formats, for tests and for `driftwatch demo`. The data comes
// from real recorded responses and changelogs (see corpus/README.md).
package providertest

import "embed"

// Corpus holds the recorded upstream data: corpus/auth0/*.json (Management
// API response bodies), corpus/changelogs/*.md (SDK changelogs) and
// corpus/github/*.json (a release payload with its headers).
//
//go:embed corpus
var Corpus embed.FS

// MustRead returns one corpus file, e.g. "auth0/clients_list_page.terraform.json".
func MustRead(name string) []byte {
	b, err := Corpus.ReadFile("corpus/" + name)
	if err != nil {
		panic(err)
	}
	return b
}
