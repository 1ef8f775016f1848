package github

import (
	"regexp"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// tagVersion finds the version at the end of a tag: "v1.2.3", "1.2.3",
// "pkg-v1.2.3", "@scope/pkg@1.2.3-beta.1". A major.minor is required so that
// tags like "release-2024" are not read as versions.
var tagVersion = regexp.MustCompile(`(?:^|[@/_-])[vV]?(\d+\.\d+(?:\.\d+)?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$`)

// ParseVersion reads the semantic version in a release tag or a configured
// version. Tags that carry no version (nightly, latest) return ok false:
// they stay in the snapshot and semver rules skip them.
func ParseVersion(tag string) (*semver.Version, bool) {
	tag = strings.TrimSpace(tag)
	if tag == "" || len(tag) > 200 {
		return nil, false
	}
	m := tagVersion.FindStringSubmatch(tag)
	if m == nil {
		return nil, false
	}
	v, err := semver.NewVersion(m[1])
	if err != nil {
		return nil, false
	}
	return v, true
}

// stable reports whether a release counts as a release proper: not marked
// prerelease on GitHub and without a semver prerelease part.
func stable(v *semver.Version, prerelease bool) bool {
	return !prerelease && v.Prerelease() == ""
}
