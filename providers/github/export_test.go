package github

import (
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/providertest"
)

// LabelledChangelog is one changelog of the labelled set, as releases the
// simulated GitHub serves, with its hand labels by tag.
type LabelledChangelog struct {
	File, Repo string
	Releases   []providertest.Release
	Labels     map[string][]string
}

// LabelledChangelogs returns the labelled set for the external tests.
// Versions without a date are dated a day apart, newest first.
func LabelledChangelogs(t testing.TB) []LabelledChangelog {
	vers, labels := labelled(t)
	var out []LabelledChangelog
	for f, vs := range vers {
		parts := strings.Split(strings.TrimSuffix(f, ".md"), "__")
		c := LabelledChangelog{File: f, Repo: parts[0] + "/" + parts[1], Labels: labels[f]}
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for i, v := range vs {
			at := base.AddDate(0, 0, -i)
			if d, err := time.Parse("2006-01-02", v.date); err == nil {
				at = d
			}
			pre := strings.ContainsAny(strings.TrimPrefix(v.version, "v"), "-abcdefghijklmnopqrstuvwxyz")
			c.Releases = append(c.Releases, providertest.Release{Tag: v.version, Name: v.version, Body: v.notes, Prerelease: pre, Published: at})
		}
		out = append(out, c)
	}
	return out
}
