package slack

import (
	"fmt"
	"regexp"
	"strings"
)

// MaxPublicURL bounds the web view's address: every finding line of a
// digest carries a link, and a section must stay within Slack's limits.
const MaxPublicURL = 100

// Options are what the renderers read besides the notices.
type Options struct {
	// PublicURL is where people reach the daemon's web view; when set,
	// every notice and digest line links to its finding's page.
	PublicURL string
}

func options(opts []Options) Options {
	if len(opts) == 0 {
		return Options{}
	}
	return opts[0]
}

// findingURL is a finding's page, or "" without a usable public URL. The
// URL comes from the config, not upstream; one that could break out of
// mrkdwn's <url|text> is not used.
func (o Options) findingURL(id int64) string {
	base := strings.TrimRight(o.PublicURL, "/")
	if base == "" || id <= 0 || len(base) > MaxPublicURL || strings.ContainsAny(base, "<>| \t\n&") {
		return ""
	}
	return fmt.Sprintf("%s/findings/%d", base, id)
}

// ownLinks matches the links the renderers make, the only ones Validate
// lets through: to the web view (findingURL) and to a finding's page
// (WebLink, with our labels). Upstream text cannot form one, since its
// '<' is escaped.
var ownLinks = regexp.MustCompile(`<https?://[^<>|\s]+\|(View in driftwatch|#[0-9]+|Open ↗|open)>`)
