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

// An empty template section: a heading or a label counts only through the
// content of what stands under it. "None", "N/A", "TBD", "-", "No breaking
// changes in this release", "Security: no known issues" and a heading with
// nothing under it before the next one announce nothing.
var (
	// rePlaceholder is the whole of a line that fills a template slot
	// with nothing.
	rePlaceholder = regexp.MustCompile(`(?i)^(?:none|nothing|n/?a|n\.a|nil|null|nope|no|tbd|tba|tbc|todo|to\s+do|to\s+be\s+(?:determined|decided|announced|added|confirmed|done)|not\s+(?:applicable|relevant)|nothing\s+(?:breaking|deprecated|removed|changed|new|security[\s-]related))` + nothingTail)
	// reNegation is the whole of a line that says the section's subject
	// did not happen: "No breaking changes", "There are no known
	// vulnerabilities", "This release has no security impact".
	reNegation = regexp.MustCompile(`(?i)^(?:there\s+(?:are|is|were|was)\s+|(?:this|the)\s+(?:release|version|update|change|pr|pull\s+request)\s+(?:has|contains|includes|introduces|brings|makes|(?:does|did)\s+not\s+(?:have|contain|include|introduce|bring|make))\s+)?(?:no|zero|not\s+any|without(?:\s+any)?)\s+` +
		`(?:(?:known|new|notable|significant|major|user[\s-]facing|public|api|functional|reported|other|relevant|backwards?[\s-]+incompatible|incompatible|breaking|security|deprecat\w*)\s+)*` +
		`(?:changes?|breaking|breakages?|breaks|issues?|impact|implications?|vulnerabilit(?:y|ies)|fix(?:es)?|deprecations?|removals?|problems?|advisor(?:y|ies)|cves?|concerns?|risks?|items?|entries|notes?)` + nothingTail)
	// nothingTail is what may follow a line that says nothing: "yet", "so
	// far", "in this release", "to report", "were made".
	nothingTail = `(?:\s+(?:yet|so\s+far|known|reported|identified|found|noted|planned|expected|here|introduced|(?:were|was|have\s+been|has\s+been)\s+(?:made|introduced|identified|found|reported)|(?:that|which)\s+we\s+know\s+of|to\s+(?:report|note|mention|declare|list|announce)|at\s+(?:this\s+time|the\s+moment|present)|(?:in|for|with|at)\s+(?:this|the|(?:the\s+)?(?:initial|first))\s+(?:release|version|update|pr|change)))*$`
	// reWhyNothing splits a slot from the reason given for it: "None.
	// All changes are additive", "N/A (initial release)", "None - this is
	// a backward-compatible update".
	reWhyNothing = regexp.MustCompile(`[.;]\s|\s\(|\s[-–—]\s|,\s`)
	// reButAfter: a reason that goes on to announce something after all.
	reButAfter = regexp.MustCompile(`(?i)\b(?:but|however|except|although|though|unless|apart\s+from)\b`)
)

// saysNothing reports a line or heading whose content is a placeholder or
// a negation, alone or as the value of a label.
func saysNothing(t string) bool {
	s := slot(bare(t))
	if s == "" || len(s) > 120 {
		return s == ""
	}
	if nothingFirst(s) {
		if rePlaceholder.MatchString(s) || reNegation.MatchString(s) {
			return true
		}
		if loc := reWhyNothing.FindStringIndex(s); loc != nil && !reButAfter.MatchString(s[loc[0]:]) {
			if h := slot(s[:loc[0]]); rePlaceholder.MatchString(h) || reNegation.MatchString(h) {
				return true
			}
		}
	}
	if i, j := labelSep(s); i > 0 {
		v := slot(s[j:])
		return v != "" && nothingFirst(v) && (rePlaceholder.MatchString(v) || reNegation.MatchString(v)) &&
			len(strings.Fields(s[:i])) <= 5
	}
	// "Breaking changes (none)".
	if strings.HasSuffix(s, ")") {
		if i := strings.LastIndexByte(s, '('); i > 0 && nothingFirst(slot(s[i:])) {
			return rePlaceholder.MatchString(slot(s[i:])) && len(strings.Fields(s[:i])) <= 5
		}
	}
	return false
}

// labelSep finds what splits a label from its value, "Breaking changes:
// none", "Security - n/a": the start and end of the first ":" or dash
// between blanks, or -1.
func labelSep(s string) (int, int) {
	i := strings.IndexByte(s, ':')
	for _, d := range []string{" - ", " – ", " — "} {
		if j := strings.Index(s, d); j >= 0 && (i < 0 || j < i) {
			return j, j + len(d)
		}
	}
	if i < 0 {
		return -1, -1
	}
	return i, i + 1
}

// nothingFirst is the cheap test before the expressions: the first word
// of a line that says nothing.
func nothingFirst(s string) bool {
	w := s
	if i := strings.IndexAny(s, " \t.,;:(-"); i > 0 {
		w = s[:i]
	}
	if len(w) > 8 {
		return false
	}
	for _, n := range nothingWords {
		if strings.EqualFold(w, n) {
			return true
		}
	}
	return false
}

// nothingWords start the lines rePlaceholder and reNegation match.
var nothingWords = []string{"none", "nothing", "n/a", "na", "n", "nil", "null", "nope", "no", "tbd", "tba", "tbc",
	"todo", "to", "not", "there", "this", "the", "zero", "without"}

// slot strips what wraps the words of a template slot: emphasis, code
// ticks, quotes, brackets and closing punctuation.
func slot(s string) string {
	return strings.TrimSpace(strings.Trim(s, "*_~`\"'()[] \t.!;:,"))
}

// labelOnly reports a line that only names what follows it: "BREAKING
// CHANGES:", "- **Breaking:**". Like a heading, it announces nothing of
// its own.
func labelOnly(b string) bool {
	s := strings.TrimRight(b, "*_ \t")
	return strings.HasSuffix(s, ":") && len(strings.Fields(s)) <= 6
}

// headingLevel is the depth of a heading line: 1–6 for "#"s, 1 or 2 for a
// setext underline, and deepest (7) for a bold line standing as one.
func headingLevel(t, next string) int {
	if n := len(t) - len(strings.TrimLeft(t, "#")); n > 0 {
		return n
	}
	if isUnderline(next) {
		if strings.Contains(next, "=") {
			return 1
		}
		return 2
	}
	return 7
}
