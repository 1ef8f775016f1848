package github

import (
	"regexp"
	"strings"
)

// Section classes: what a heading says about the lines under it.
const (
	sectNone       = ""
	sectBreaking   = "breaking"   // Breaking Changes, ⚠️ Changed, Before you upgrade
	sectRemoved    = "removed"    // Removed
	sectDeprecated = "deprecated" // Deprecated, Deprecations
	sectSecurity   = "security"   // Security, Security fixes
	sectFixed      = "fixed"      // Fixed, Bug Fixes
	sectChore      = "chore"      // Chores, Docs, Tests, Build, CI, Dependencies, Thanks
	sectDocs       = "docs"       // Documentation, Tests: nothing there is shipped
	sectOther      = "other"      // Added, Features, Changed, an area name
	warnSign       = "\u26a0"     // ⚠ with or without the emoji selector
	warnAlias      = ":warning:"  // GitHub's shortcode for it
	sirenSign      = "\U0001f6a8" // 🚨
)

var (
	reSectHousekeeping = regexp.MustCompile(`(?i)\b(chores?|maintenance|internal|refactor\w*|build|ci|perf\w*|performance|dependenc\w*|deps|thanks?|thank you|contributors?|contributions?|closed issues|other improvements|misc\w*|tooling|infrastructure)\b`)
	reSectDocs         = regexp.MustCompile(`(?i)\b(doc|docs|documentation|tests?|testing|examples?|samples?)\b`)
	reSectFixed        = regexp.MustCompile(`(?i)\b(fix|fixes|fixed|bug ?fix(es)?|bugs)\b`)
	reMajorChanges     = regexp.MustCompile(`(?i)^\W*major\s+changes?\b`) // changesets
	reSectUpgrade      = regexp.MustCompile(`(?i)\bbefore (you )?upgrad|\bupgrade notes?\b|\bupgrading\b|\bmigration\b|\bmigrating\b`)
)

// section reduces a heading to the class that qualifies the lines under it.
func section(h string) string {
	l := strings.ToLower(h)
	switch {
	case strings.Contains(l, "breaking") && !reNegated.MatchString(l[:strings.Index(l, "breaking")]):
		return sectBreaking
	case strings.Contains(l, "remov"):
		return sectRemoved
	case strings.Contains(l, "deprecat"):
		return sectDeprecated
	case strings.Contains(l, "security") || strings.Contains(l, "vulnerab"):
		return sectSecurity
	case warningLed(h) || reIncompatible.MatchString(h) || reMajorChanges.MatchString(h):
		return sectBreaking // "⚠️ Changed": the sign says what the words do not
	case reSectUpgrade.MatchString(h):
		return sectBreaking
	case reSectDocs.MatchString(h):
		return sectDocs
	case reSectFixed.MatchString(h):
		return sectFixed
	case reSectHousekeeping.MatchString(h):
		return sectChore
	}
	return sectOther
}

// reAdded starts an item that adds something: no heading makes it a
// deprecation or a removal.
var reAdded = regexp.MustCompile(`(?i)^(?:\w+\s+)?(?:(?:has|have)\s+)?(?:officially\s+)?(?:add(?:s|ed|ing)?|introduc\w+|new)\b`)

// warningLed reports text that starts with a warning sign.
func warningLed(t string) bool {
	t = strings.TrimLeft(t, "*_ ")
	return strings.HasPrefix(t, warnSign) || strings.HasPrefix(t, warnAlias) || strings.HasPrefix(t, sirenSign)
}
