package providertest

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Release is one release the simulated GitHub serves.
type Release struct {
	Tag        string
	Name       string // empty is served as null, as GitHub does for unnamed releases
	Body       string // empty is served as null
	Draft      bool
	Prerelease bool
	Published  time.Time // when it was published; drafts are served with null
}

// Advisory is one repository security advisory the simulated GitHub
// serves, in the shape of GET /repos/{owner}/{repo}/security-advisories.
type Advisory struct {
	GHSA            string // "GHSA-xxxx-xxxx-xxxx"
	CVE             string // optional
	Summary         string
	Severity        string // low, medium, high, critical
	Package         string // npm package name
	VulnerableRange string // e.g. ">= 2.0.0, < 2.1.4"
	Patched         string // e.g. "2.1.4"
	Published       time.Time
	Withdrawn       bool
}

// changelogHeading matches a release heading of the SDK changelogs:
// "## [v2.0.0](https://github.com/auth0/auth0-spa-js/tree/v2.0.0) (2022-10-27)".
var changelogHeading = regexp.MustCompile(`^## \[([^\]]+)\]\(([^)]*)\)\s*\((\d{4}-\d{2}-\d{2})\)\s*$`)

// ReleasesFromChangelog turns a CHANGELOG.md into releases, newest first as
// the file lists them: each "## [tag](url) (date)" heading starts one, and
// its body runs to the next such heading. Tags with a prerelease part
// ("v2.0.0-beta.1") are marked prerelease.
func ReleasesFromChangelog(md []byte) ([]Release, error) {
	text := strings.ReplaceAll(string(md), "\r\n", "\n")
	var out []Release
	var body []string
	flush := func() {
		if len(out) > 0 {
			out[len(out)-1].Body = strings.TrimSpace(strings.Join(body, "\n"))
		}
		body = body[:0]
	}
	for _, line := range strings.Split(text, "\n") {
		m := changelogHeading.FindStringSubmatch(line)
		if m == nil {
			if len(out) > 0 {
				body = append(body, line)
			}
			continue
		}
		flush()
		at, err := time.Parse("2006-01-02", m[3])
		if err != nil {
			return nil, fmt.Errorf("changelog: release %s: date %q: %w", m[1], m[3], err)
		}
		ver := strings.TrimPrefix(m[1], "v")
		out = append(out, Release{
			Tag:        m[1],
			Name:       m[1],
			Prerelease: strings.Contains(ver, "-"),
			Published:  at.UTC(),
		})
	}
	flush()
	if len(out) == 0 {
		return nil, fmt.Errorf("changelog: no release headings found")
	}
	return out, nil
}

// CorpusReleases returns the releases of one corpus changelog, e.g.
// "auth0__auth0-spa-js.md". It panics if the file is missing or holds no
// releases: corpus names are written in code.
func CorpusReleases(name string) []Release {
	rs, err := ReleasesFromChangelog(MustRead("changelogs/" + name))
	if err != nil {
		panic(fmt.Sprintf("corpus %s: %v", name, err))
	}
	return rs
}

// releaseJSON renders a release like GET /repos/{o}/{r}/releases does
// (see corpus/github/release_by_tag.octokit-fixtures.json).
func releaseJSON(owner, repo string, id int64, r Release) map[string]any {
	api := fmt.Sprintf("https://api.github.com/repos/%s/%s/releases/%d", owner, repo, id)
	html := fmt.Sprintf("https://github.com/%s/%s/releases/tag/%s", owner, repo, r.Tag)
	var published any
	created := r.Published
	if r.Draft {
		html = fmt.Sprintf("https://github.com/%s/%s/releases/tag/untagged-%d", owner, repo, id)
		if created.IsZero() {
			created = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		}
	} else if !r.Published.IsZero() {
		published = r.Published.UTC().Format(time.RFC3339)
		created = r.Published.Add(-4 * time.Second)
	}
	return map[string]any{
		"url":        api,
		"assets_url": api + "/assets",
		"upload_url": fmt.Sprintf("https://uploads.github.com/repos/%s/%s/releases/%d/assets{?name,label}", owner, repo, id),
		"html_url":   html,
		"id":         id,
		"author": map[string]any{
			"login": "release-bot", "id": 31898046, "node_id": "MDQ6VXNlcjMxODk4MDQ2",
			"avatar_url": "https://avatars.githubusercontent.com/u/31898046?v=4",
			"url":        "https://api.github.com/users/release-bot", "html_url": "https://github.com/release-bot",
			"type": "User", "site_admin": false,
		},
		"node_id":          fmt.Sprintf("RE_kwDOHrjuzc4E%06d", id),
		"tag_name":         r.Tag,
		"target_commitish": "main",
		"name":             nullIfEmpty(r.Name),
		"draft":            r.Draft,
		"prerelease":       r.Prerelease,
		"created_at":       created.UTC().Format(time.RFC3339),
		"published_at":     published,
		"assets":           []any{},
		"tarball_url":      fmt.Sprintf("https://api.github.com/repos/%s/%s/tarball/%s", owner, repo, r.Tag),
		"zipball_url":      fmt.Sprintf("https://api.github.com/repos/%s/%s/zipball/%s", owner, repo, r.Tag),
		"body":             nullIfEmpty(r.Body),
	}
}

// advisoryJSON renders a repository security advisory.
func advisoryJSON(owner, repo string, a Advisory) map[string]any {
	ids := []any{map[string]any{"type": "GHSA", "value": a.GHSA}}
	if a.CVE != "" {
		ids = append(ids, map[string]any{"type": "CVE", "value": a.CVE})
	}
	at := a.Published
	if at.IsZero() {
		at = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	var withdrawn any
	if a.Withdrawn {
		withdrawn = at.Add(24 * time.Hour).UTC().Format(time.RFC3339)
	}
	return map[string]any{
		"ghsa_id":      a.GHSA,
		"cve_id":       nullIfEmpty(a.CVE),
		"url":          fmt.Sprintf("https://api.github.com/repos/%s/%s/security-advisories/%s", owner, repo, a.GHSA),
		"html_url":     fmt.Sprintf("https://github.com/%s/%s/security/advisories/%s", owner, repo, a.GHSA),
		"summary":      a.Summary,
		"description":  a.Summary,
		"severity":     a.Severity,
		"author":       nil,
		"publisher":    nil,
		"identifiers":  ids,
		"state":        "published",
		"created_at":   at.UTC().Format(time.RFC3339),
		"updated_at":   at.UTC().Format(time.RFC3339),
		"published_at": at.UTC().Format(time.RFC3339),
		"closed_at":    nil,
		"withdrawn_at": withdrawn,
		"submission":   nil,
		"vulnerabilities": []any{map[string]any{
			"package":                  map[string]any{"ecosystem": "npm", "name": a.Package},
			"vulnerable_version_range": a.VulnerableRange,
			"patched_versions":         a.Patched,
			"vulnerable_functions":     []any{},
		}},
		"cvss":                map[string]any{"vector_string": nil, "score": nil},
		"cwes":                []any{},
		"cwe_ids":             []any{},
		"credits":             []any{},
		"credits_detailed":    []any{},
		"collaborating_users": nil,
		"collaborating_teams": nil,
		"private_fork":        nil,
	}
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
