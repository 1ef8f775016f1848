package github

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/Masterminds/semver/v3"
	gh "github.com/google/go-github/v60/github"

	"github.com/driftwatch/driftwatch/diff"
)

// Sets are the arrays of a releases document whose order carries no
// meaning: a release's notes_flags.
var Sets = diff.MustPatterns("/releases/*/notes_flags")

// maxReleases bounds the snapshot to the newest releases: three pages.
const maxReleases = 300

// clean makes upstream text valid UTF-8 and bounds it.
func clean(s string, n int) string {
	s = strings.ToValidUTF8(strings.TrimSpace(s), "\uFFFD")
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n]) + "…"
	}
	return s
}

// releaseDoc is one release as stored: what a person needs to judge it,
// and a hash and bounded excerpt of its notes.
func releaseDoc(r *gh.RepositoryRelease, prerelease bool) map[string]any {
	body := r.GetBody()
	sum := sha256.Sum256([]byte(body))
	ms := classify(body)
	flags := make([]any, 0, 4)
	for _, f := range flagsOf(ms) {
		flags = append(flags, f)
	}
	published := ""
	if t := r.GetPublishedAt(); !t.IsZero() {
		published = t.UTC().Format(time.RFC3339)
	}
	return map[string]any{
		"name":          clean(r.GetName(), 300),
		"published_at":  published,
		"prerelease":    prerelease,
		"url":           clean(r.GetHTMLURL(), 500),
		"notes_sha256":  hex.EncodeToString(sum[:]),
		"notes_excerpt": excerpt(body, ms),
		"notes_flags":   flags,
	}
}

// releasesDoc keys the listed releases by tag: never drafts, prereleases
// only when asked for. A tag whose version has a prerelease part counts as
// a prerelease even when GitHub's flag is not set.
func releasesDoc(rels []*gh.RepositoryRelease, includePre bool) map[string]any {
	out := make(map[string]any, len(rels))
	for _, r := range rels {
		if r == nil || r.GetDraft() {
			continue
		}
		tag := clean(r.GetTagName(), 200)
		if tag == "" {
			continue
		}
		pre := r.GetPrerelease()
		if v, ok := ParseVersion(tag); ok && v.Prerelease() != "" {
			pre = true
		}
		if pre && !includePre {
			continue
		}
		if _, dup := out[tag]; dup {
			continue
		}
		out[tag] = releaseDoc(r, pre)
		if len(out) == maxReleases {
			break
		}
	}
	return out
}

// latestTag is the highest stable semver tag, or, when no tag parses, the
// most recently published release.
func latestTag(releases map[string]any) string {
	var best *semver.Version
	bestTag := ""
	newest, newestAt := "", ""
	for tag, r := range releases {
		m, _ := r.(map[string]any)
		pre, _ := m["prerelease"].(bool)
		if v, ok := ParseVersion(tag); ok && stable(v, pre) {
			if best == nil || v.GreaterThan(best) || (v.Equal(best) && tag < bestTag) {
				best, bestTag = v, tag
			}
		}
		at, _ := m["published_at"].(string)
		if newest == "" || at > newestAt || (at == newestAt && tag < newest) {
			newest, newestAt = tag, at
		}
	}
	if best != nil {
		return bestTag
	}
	return newest
}

// advisoriesDoc keys a repository's published, not withdrawn advisories by
// GHSA id. Ranges of several vulnerable packages are joined with "||".
func advisoriesDoc(list []*gh.SecurityAdvisory) map[string]any {
	out := make(map[string]any, len(list))
	for _, a := range list {
		if a == nil || a.GetGHSAID() == "" || a.WithdrawnAt != nil {
			continue
		}
		var ranges, patched []string
		for _, v := range a.Vulnerabilities {
			if v == nil {
				continue
			}
			if r := strings.TrimSpace(v.GetVulnerableVersionRange()); r != "" {
				ranges = append(ranges, r)
			}
			p := ""
			if v.FirstPatchedVersion != nil {
				p = v.FirstPatchedVersion.GetIdentifier()
			}
			if p == "" {
				p = v.GetPatchedVersions()
			}
			if p = strings.TrimSpace(p); p != "" {
				patched = append(patched, p)
			}
		}
		url := a.GetHTMLURL()
		if url == "" {
			url = a.GetURL()
		}
		out[clean(a.GetGHSAID(), 100)] = map[string]any{
			"summary":                  clean(a.GetSummary(), 300),
			"severity":                 clean(a.GetSeverity(), 20),
			"cve_id":                   clean(a.GetCVEID(), 40),
			"vulnerable_version_range": clean(strings.Join(ranges, " || "), 300),
			"first_patched":            clean(strings.Join(patched, ", "), 200),
			"url":                      clean(url, 500),
		}
	}
	return out
}
