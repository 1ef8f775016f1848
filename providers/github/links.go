package github

import (
	"net/url"
	"strings"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// Link is the engine's link step for a releases source: a finding about a
// release links the release page and the compare view from the deployed
// version to it (https://github.com/OWNER/REPO/compare/v3.5.0...v4.0.0);
// one about an advisory links the advisory.
func Link(j *watcher.Judgement, f *watcher.Finding) {
	segs, err := diff.ParsePointer(f.Path)
	if err != nil || len(segs) == 0 {
		return
	}
	doc, _ := j.New.(map[string]any)
	switch {
	case segs[0] == "advisories" && len(segs) >= 2:
		adv, _ := lookupMap(doc, "advisories", segs[1])
		if u, _ := adv["url"].(string); isWebURL(u) {
			f.AddLink("Advisory", u)
		}
	case segs[0] == "releases":
		tag := f.New
		if tag == "" {
			tag, _ = doc["latest"].(string)
		}
		if len(segs) >= 2 {
			tag = segs[1]
		}
		rel, ok := lookupMap(doc, "releases", tag)
		if !ok {
			return
		}
		page, _ := rel["url"].(string)
		if isWebURL(page) {
			f.AddLink("Release "+tag, page)
		}
		if cmp := compareURL(doc, page, tag); cmp != "" {
			f.AddLink("Changes since the deployed version", cmp)
		}
	}
	if f.URL == "" {
		// Anything else (an expectation on /latest or /deployed): the
		// repository's releases.
		if repo, _ := doc["repo"].(string); repo != "" && !strings.ContainsAny(repo, " ?#") {
			f.AddLink("Releases", "https://github.com/"+repo+"/releases")
		}
	}
}

// compareURL is the compare view from the deployed version's tag to tag,
// on the repository the release page belongs to.
func compareURL(doc map[string]any, page, tag string) string {
	deployed, _ := doc["deployed"].(string)
	if deployed == "" {
		return ""
	}
	repoURL := ""
	if i := strings.Index(page, "/releases/"); i > 0 && isWebURL(page) {
		repoURL = page[:i]
	} else if repo, _ := doc["repo"].(string); repo != "" {
		repoURL = "https://github.com/" + repo
	}
	from := deployedTag(doc, deployed, tag)
	if repoURL == "" || from == tag {
		return ""
	}
	return repoURL + "/compare/" + url.PathEscape(from) + "..." + url.PathEscape(tag)
}

// deployedTag is the tag of the deployed version: the release tag of that
// version if listed, else the version written like tag ("v" or not).
func deployedTag(doc map[string]any, deployed, tag string) string {
	want, ok := ParseVersion(deployed)
	rels, _ := doc["releases"].(map[string]any)
	if ok {
		for t := range rels {
			if v, ok := ParseVersion(t); ok && v.Equal(want) {
				return t
			}
		}
	}
	bare := strings.TrimPrefix(deployed, "v")
	if strings.HasPrefix(tag, "v") {
		return "v" + bare
	}
	return bare
}

func lookupMap(doc map[string]any, coll, key string) (map[string]any, bool) {
	c, _ := doc[coll].(map[string]any)
	m, ok := c[key].(map[string]any)
	return m, ok
}

// isWebURL accepts only http(s) links: upstream text is never followed,
// but a link a person clicks must not be javascript: or the like.
func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
