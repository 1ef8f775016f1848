package github

import (
	"regexp"
	"strings"
)

// Deprecations: "deprecate X", "mark X as deprecated/obsolete", "will be
// removed in a future release"; not "remove/replace deprecated X", not a
// deprecation "as of" an old version, not Node's DeprecationWarning.
var (
	reDeprecat    = regexp.MustCompile(`(?i)\bdeprecat(?:e|es|ed|ing|ion|ions)\b`)
	reObsolete    = regexp.MustCompile(`(?i)\b(?:mark(?:s|ed|ing)?\b[^.;]{0,60}?\bas\s+obsolete|(?:is|are)\s+(?:now\s+)?obsolete)\b|\bwill\s+(?:be\s+)?(?:removed|changed?|renamed|replaced|dropped)\s+in\s+(?:a|the)\s+(?:future|next|upcoming|coming)\b`)
	reDeprecNotBf = regexp.MustCompile(`(?i)\b(?:remov\w*|drop\w*|delet\w*|replac\w*|updat\w*|upgrad\w*|migrat\w*|mov(?:e|es|ed|ing)|switch\w*|stop\w*\s+using|instead\s+of|usages?\s+of|uses?\s+of|using|avoid\w*|fix\w*|silenc\w*|suppress\w*|resolv\w*|address\w*|hid(?:e|es|ing)|clean\w*\s+up|test\w*|away\s+from|get\s+rid\s+of)\b(?:[^.;]|\.\d){0,30}$`)
	reUsageVerb   = regexp.MustCompile(`(?i)^(?:\w+(?:\([\w-]*\))?!?:\s*)?(?:replac\w*|migrat\w*|mov(?:e|es|ed|ing)|switch\w*|upgrad\w*|updat\w*|stop\w*\s+using|avoid\w*|fix\w*)\b`)
	reQuietVerb   = regexp.MustCompile(`(?i)^(?:\w+(?:\([\w-]*\))?!?:\s*)?(?:prevent\w*|silenc\w*|suppress\w*|hid(?:e|es|ing)|mut(?:e|es|ed|ing)|stop\w*|avoid\w*|no\s+longer)\b`)
	reDeprecPast  = regexp.MustCompile(`(?i)^\w*\s+(?:as\s+of|since|in)\s+\[?v?\d`)
)

// deprecation returns the words that deprecate something, or "".
func deprecation(plain, low string) (string, int) {
	if strings.Contains(low, "obsolete") || strings.Contains(low, "future") || strings.Contains(low, "next") ||
		strings.Contains(low, "upcoming") || strings.Contains(low, "coming") {
		if loc := reObsolete.FindStringIndex(plain); loc != nil {
			return plain[loc[0]:loc[1]], loc[0]
		}
	}
	if !strings.Contains(low, "deprecat") {
		return "", -1
	}
	// "Replacing deprecated substr() with slice() as substr() is
	// deprecated": a line that moves off something deprecated is about
	// what the SDK uses, however often it says so.
	if loc := reDeprecat.FindStringIndex(plain); loc != nil && reUsageVerb.MatchString(bare(plain)) &&
		reDeprecNotBf.MatchString(plain[:loc[0]]) {
		return "", -1
	}
	// "Prevent React Native from logging a warning about deprecation of
	// `AsyncStorage`": quieting someone else's deprecation warning.
	if reQuietVerb.MatchString(bare(plain)) && strings.Contains(low, "warn") {
		return "", -1
	}
	for _, loc := range reDeprecat.FindAllStringIndex(plain, -1) {
		before, after := plain[:loc[0]], plain[loc[1]:]
		if reDeprecNotBf.MatchString(before) || reDeprecPast.MatchString(after) {
			continue
		}
		// "DeprecationWarning" is Node's runtime warning class; a warning
		// added by the SDK ("add a deprecation warning") is a deprecation.
		if strings.HasPrefix(after, "Warning") {
			continue
		}
		return plain[loc[0]:loc[1]], loc[0]
	}
	return "", -1
}
