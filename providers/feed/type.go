package feed

import (
	"github.com/driftwatch/driftwatch/config"
	"github.com/driftwatch/driftwatch/providers/sourcetype"
	"github.com/driftwatch/driftwatch/watcher"
)

// Settings are the keys of a feed [[source]].
type Settings struct {
	URL string `toml:"url"`
}

// Validate checks the keys.
func (s *Settings) Validate(c *config.Check) {
	if c.Required("url", s.URL) {
		c.URL("url", s.URL)
	}
}

// Endpoints are the URLs the source reads, whose credentials are secrets.
func (s *Settings) Endpoints() []string { return []string{s.URL} }

// Type is the feed source type: a vendor's changelog or status feed.
var Type = sourcetype.Type{
	Name:     "feed",
	Config:   func() config.SourceConfig { return &Settings{} },
	Category: watcher.ThirdParty,
	Items:    &watcher.Items{Member: "entries", Heading: "New entries"},
	Build: func(src sourcetype.Source) (sourcetype.Built, error) {
		p, err := New(Config{Name: src.Name, URL: src.Settings.(*Settings).URL}, src.HTTP, src.Logger)
		if err != nil {
			return sourcetype.Built{}, err
		}
		return sourcetype.Built{Provider: p, Rules: Rules(RuleOptions{}), Link: Link}, nil
	},
}
