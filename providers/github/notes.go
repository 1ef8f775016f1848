package github

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// The kinds of marker found in release notes; they are stored, sorted, as
// a release's "notes_flags".
const (
	KindBreaking    = "breaking"
	KindDeprecation = "deprecation"
	KindRemoval     = "removal"
	KindSecurity    = "security"
)

// kindOrder is the order in which the excerpt keeps one line of each kind
// before any second line.
var kindOrder = []string{KindBreaking, KindSecurity, KindRemoval, KindDeprecation}

// marker is one line of release notes that announces something a user of
// the release must act on.
type marker struct {
	kind   string
	line   int    // index of the line in the notes
	end    int    // index of its last line when it wraps over several
	head   int    // index of the section heading the line stands under, or -1
	parent int    // index of the list item the line is nested in, or -1
	body   int    // for a heading or label: the first line of content under it, or -1
	term   string // the words that matched
	text   string // the line, shortened around the match
}

// reUnstableTag is a line tagged as a beta, preview or experimental
// feature: "[Beta] Rename …", "**(experimental)** remove …".
var reUnstableTag = regexp.MustCompile(`(?i)^[\s*+>-]*(?:\*\*|__)?[\[(](?:beta|preview|experimental|alpha)[\])]`)

// reDependencyParent marks a list item whose nested items are about
// dependencies ("Updated development dependencies:").
var reDependencyParent = regexp.MustCompile(`(?i)\bdependenc(?:y|ies)\b|\bdeps\b`)

// pending is a heading or label that says "breaking" and waits for the
// content under it: only content makes it an announcement.
type pending struct {
	m     marker
	level int  // the heading's depth; a heading no deeper ends the wait
	label bool // a label: the first line after it decides
	ok    bool
}

// classify finds the lines of release notes that announce breaking
// changes, removals, deprecations or security fixes. It reads structure
// first: the heading a line stands under ("Breaking Changes", "⚠️
// Removed", "Deprecated", "Security", or "Fixed" and "Chores" whose lines
// are housekeeping), the list item it is nested in, a conventional-commit
// prefix ("feat!:", "chore(deps):"); then the words of the line, and the
// words around them that take an announcement back ("no breaking
// changes", "fix a breaking change", "remove unused logs", "replace
// deprecated request", a vulnerability scanner added to CI). A heading
// or label counts only through its content: "None", "N/A", "No breaking
// changes" or the next heading under it announce nothing.
func classify(notes string) []marker {
	lines := strings.Split(normalizeNotes(notes), "\n")
	var out []marker
	sect, head := sectNone, -1
	inFence := false
	parent, parentIndent := -1, 0
	var pend pending
	resolve := func(at int) { // content under a pending heading or label
		if pend.ok {
			pend.m.body = at
			out = append(out, pend.m)
			pend.ok = false
		}
	}
	for i := 0; i < len(lines); i++ {
		raw := lines[i]
		start, end := i, i // the physical lines of one logical line
		t := strings.TrimSpace(raw)
		if isFence(t) {
			if !inFence {
				resolve(i) // a code block is content
			}
			inFence = !inFence
			continue
		}
		if inFence || !hasWords(t) {
			continue // code, blank lines, rules, an excerpt's "…"
		}
		seen := map[string]bool{}
		add := func(kind, term string, at int) {
			if seen[kind] || term == "" {
				return
			}
			seen[kind] = true
			if j := strings.Index(t, term); j >= 0 {
				at = j // offsets into plain shift where URLs were cut
			}
			p := -1
			if parent >= 0 && parent != start {
				p = parent
			}
			out = append(out, marker{kind: kind, line: start, end: end, head: head, parent: p, body: -1, term: term, text: shorten(t, max(at, 0))})
		}

		h, ok := heading(t)
		if !ok && i+1 < len(lines) && isUnderline(lines[i+1]) && listMarker(t) == 0 {
			h, ok = t, true // a setext heading: "Deprecations and Removals" over "-----"
		}
		if ok {
			next := ""
			if i+1 < len(lines) {
				next = lines[i+1]
			}
			level := headingLevel(t, next)
			if pend.ok && (pend.label || level <= pend.level) {
				pend.ok = false // nothing stood under it
			}
			sect, head = section(h), i
			parent = -1
			if saysNothing(h) {
				sect = sectOther // "Breaking Changes: none", "**None**"
				continue
			}
			// A heading that says "breaking" is the announcement, list or
			// no list under it, once something stands under it.
			if term, at := explicitBreaking(stripURLs(h), strings.ToLower(stripURLs(h))); term != "" {
				if j := strings.Index(t, term); j >= 0 {
					at = j
				}
				pend = pending{m: marker{kind: KindBreaking, line: i, end: i, head: -1, parent: -1, body: -1, term: term, text: shorten(t, max(at, 0))}, level: level, ok: true}
			}
			continue
		}

		// A list item or paragraph wrapped over several lines is read as
		// one: "would disable" / "cert verification".
		for end+1 < len(lines) && continues(lines, end+1) {
			end++
			t += " " + strings.TrimSpace(lines[end])
		}
		i = end
		plain := stripURLs(t)
		low := strings.ToLower(plain)

		// A template slot filled with nothing ("None", "- n/a", "No
		// breaking changes", "Security: no known issues") says nothing,
		// and ends the wait of a label above it.
		if saysNothing(plain) || (end > start && eachSaysNothing(lines[start:end+1])) {
			if pend.label {
				pend.ok = false
			}
			continue
		}
		if b := bare(plain); labelOnly(b) {
			// "BREAKING CHANGES:" waits for the line after it, like a
			// heading; a label ends the wait of another.
			if pend.label {
				pend.ok = false
			}
			if term, at := explicitBreaking(plain, low); term != "" {
				if !pend.ok {
					pend = pending{m: marker{kind: KindBreaking, line: start, end: end, head: head, parent: -1, body: -1, term: term, text: shorten(t, max(at, 0))}, label: true, ok: true}
				}
				continue
			}
		} else {
			resolve(start)
		}

		// Nesting: an indented list item belongs to the item above it.
		isItem := listMarker(t) > 0
		if isItem {
			if ind := indent(raw); parent < 0 || ind <= parentIndent {
				parent, parentIndent = start, ind
			}
		} else if indent(raw) == 0 {
			parent = -1
		}
		b := bare(plain)
		c := readCommit(b)
		subj := b
		if c.typ != "" {
			subj = c.rest
		}
		subj = strings.TrimLeftFunc(subj, func(r rune) bool { return unicode.IsSymbol(r) || unicode.IsSpace(r) || r == '\ufe0f' })
		chore := choreTypes[c.typ] || isRevert(c)
		dependency := c.scope == "deps" || c.scope == "dependencies" || c.typ == "deps" ||
			mentionsDependencies(b) || (parent >= 0 && parent != start && mentionsDependencies(lines[parent]))
		housekeeping := sect == sectFixed || sect == sectChore || sect == sectDocs

		// Breaking: explicit words and markers count anywhere.
		if term, at := explicitBreaking(plain, low); term != "" {
			add(KindBreaking, term, at)
		}
		if term, at := selfBreaks(plain, low); term != "" && !isRevert(c) {
			add(KindBreaking, term, at)
		}
		if c.bang {
			add(KindBreaking, b[:strings.Index(b, "!")+1]+":", 0)
		}
		depTerm, depAt := deprecation(plain, low)
		if warningLed(b) && depTerm == "" && !reNotBreaking.MatchString(plain) {
			add(KindBreaking, strings.SplitN(b, " ", 2)[0], 0)
		}
		if sect != sectDocs {
			if term, at := requirement(plain, low); term != "" {
				add(KindBreaking, term, at)
			}
			if term, at := mustChange(plain, low); term != "" {
				add(KindBreaking, term, at)
			}
			if term, at := runtimeBump(subj); term != "" && !chore && sect != sectChore {
				add(KindBreaking, term, at)
			}
		}
		if !chore && !housekeeping {
			if term, at := apiChange(plain, low); term != "" {
				add(KindBreaking, term, at)
			}
		}
		if !chore && !housekeeping && strings.Contains(low, "guide") {
			if loc := reMigration.FindStringIndex(plain); loc != nil {
				add(KindBreaking, plain[loc[0]:loc[1]], loc[0])
			}
		}

		// Under a Breaking, Removed or Deprecated heading every item is
		// what the heading says, unless it takes back an earlier change
		// or (under Removed) announces a deprecation instead.
		switch sect {
		case sectBreaking, sectRemoved:
			if isItem && !isRevert(c) {
				kind := KindBreaking
				if sect == sectRemoved {
					kind = KindRemoval
				}
				if sect == sectRemoved && depTerm != "" {
					kind = KindDeprecation
				}
				add(kind, "listed under "+strings.TrimSpace(strings.Trim(lines[head], "#*_ :.")), 0)
			}
		case sectDeprecated:
			// An item's own words win over its heading: "Dropped support
			// for Python 3.8" under Deprecations is a removal, "Added
			// support for Python 3.14" is neither.
			if !isRevert(c) && !reAdded.MatchString(subj) {
				if term, at := endOfSupport(plain, low); term != "" {
					add(KindRemoval, term, at)
				} else {
					add(KindDeprecation, "listed under "+strings.TrimSpace(strings.Trim(lines[head], "#*_ :.")), 0)
				}
			}
		}

		// Removals and ends of support, where the section does not say
		// otherwise and the line is not housekeeping. What a line tagged
		// "[Beta]" takes away breaks no stable contract.
		stable := !reUnstableTag.MatchString(plain)
		if stable && !chore && !housekeeping && sect != sectDeprecated && sect != sectSecurity && depTerm == "" {
			term, at := removal(plain, low, subj, dependency)
			if term != "" && reAdded.MatchString(subj) {
				// "Added a clear() function so … all interceptors have
				// been removed": an item that adds something takes
				// nothing away, unless it ends a runtime's support.
				term, at = endOfSupport(plain, low)
			}
			if term != "" {
				add(KindRemoval, term, at)
			}
		} else if stable && sect == sectFixed && !chore && depTerm == "" && reNamedRemoval.MatchString(subj) {
			// A fixes heading that removes one public name still takes
			// it away: "Remove `apiclient.__version__`".
			if term, at := removal(plain, low, subj, dependency); term != "" {
				add(KindRemoval, term, at)
			}
		} else if stable && sect == sectChore && !chore && depTerm == "" && reServiceNoun.MatchString(subj) {
			// A chores heading groups by pull-request label, not by what a
			// user sees: "remove preview sync api" under "Library - Chore"
			// still takes an API away. A chore commit ("chore: ...") says
			// it is housekeeping itself.
			if term, at := removal(plain, low, subj, dependency); term != "" {
				add(KindRemoval, term, at)
			}
		} else if stable && sect != sectDocs {
			// A runtime's end of support is news even in a chore line.
			if term, at := endOfSupport(plain, low); term != "" {
				add(KindRemoval, term, at)
			}
		}

		// Deprecations; not in docs or tests, not "fix a deprecation
		// warning", not "remove deprecated X".
		if depTerm != "" && sect != sectDocs && sect != sectChore {
			add(KindDeprecation, depTerm, depAt)
		}

		// Security: advisory ids anywhere, vulnerability words in prose,
		// and every item under a Security heading that is not tooling.
		if term, at := securityWords(t, plain, low, c); term != "" {
			add(KindSecurity, term, at)
		}
		if sect == sectSecurity && !securityTooling(plain) {
			add(KindSecurity, "listed under "+strings.TrimSpace(strings.Trim(lines[head], "#*_ :.")), 0)
		}
	}
	return out
}

// eachSaysNothing reports lines that each say nothing: "Breaking
// changes: N/A" over "Security: none" wrap into one paragraph.
func eachSaysNothing(lines []string) bool {
	for _, l := range lines {
		if !saysNothing(stripURLs(strings.TrimSpace(l))) {
			return false
		}
	}
	return true
}

// continues reports whether line j carries on the list item or paragraph
// above it: words, no list marker, heading, fence or setext underline.
func continues(lines []string, j int) bool {
	t := strings.TrimSpace(lines[j])
	if t == "" || !hasWords(t) || isFence(t) || listMarker(t) > 0 || isUnderline(lines[j]) {
		return false
	}
	if _, ok := heading(t); ok {
		return false
	}
	return !(j+1 < len(lines) && isUnderline(lines[j+1]))
}

// mentionsDependencies reports a line about dependencies.
func mentionsDependencies(t string) bool {
	low := strings.ToLower(t)
	return (strings.Contains(low, "dependenc") || strings.Contains(low, "deps")) && reDependencyParent.MatchString(t)
}

// hasWords reports a line with a letter or digit in it.
func hasWords(t string) bool {
	for _, r := range t {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// flagsOf lists the kinds of the markers, sorted and unique.
func flagsOf(ms []marker) []string {
	set := map[string]bool{}
	for _, m := range ms {
		set[m.kind] = true
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
