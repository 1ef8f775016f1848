package github

import (
	"regexp"
	"sort"
	"strings"
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
	kind string
	line int    // index of the line in the notes
	head int    // index of the section heading that qualifies it, or -1
	term string // the words that matched
	text string // the line, shortened around the match
}

// Patterns seen in real changelogs (see the corpus): bold or plain
// "⚠️ BREAKING CHANGES", "**Breaking Change(s)**", "- **BREAKING**:",
// conventional "feat!:", migration guides, end-of-life notes.
var (
	reBreakingUpper = regexp.MustCompile(`\bBREAKING\b`)
	reBreaking      = regexp.MustCompile(`(?i)\bbreaking[\s_-]*changes?\b`)
	reNegated       = regexp.MustCompile(`(?i)(?:\bno|\bnon|\bnot(?:\s+an?)?|\bwithout(?:\s+any)?|\bzero)[\s-]*$`)
	reBang          = regexp.MustCompile(`^[a-z]+(?:\([^)]*\))?!:`)
	reMigration     = regexp.MustCompile(`(?i)migration[\s_-]*guide|\bmigration required\b`)
	reEndOfLife     = regexp.MustCompile(`(?i)\bend[\s-]of[\s-]life\b|\bsunset(?:s|ting)?\b`)
	reDropSupport   = regexp.MustCompile(`(?i)\bdrop(?:s|ped|ping)?\s+(?:the\s+)?support\b|\bno\s+longer\s+(?:be\s+)?supported\b|\bremoved?\s+support\b`)
	reSupportGone   = regexp.MustCompile(`(?i)\bsupport\s+for\b.{0,80}?\b(?:has\s+been|have\s+been|is|was|are|were|will\s+be)\s+(?:removed|dropped)\b`)
	reEOL           = regexp.MustCompile(`\bEOL\b`)
	reNoLonger      = regexp.MustCompile(`(?i)\bno\s+longer\s+(?:be\s+)?(?:accepts?|available|works?|takes?|returns?|supports?|sends?|allowed|exported|exposed|falls?\s+back)\b`)
	reRemovalVerb   = regexp.MustCompile(`(?i)^(?:removed?|removes|removal\s+of|deleted?|dropped|drops)\b`)
	reDeprecat      = regexp.MustCompile(`(?i)\bdeprecat(?:e|es|ed|ing|ion|ions)\b`)
	reCVE           = regexp.MustCompile(`(?i)\bCVE-\d{4}-\d{4,7}\b`)
	reGHSA          = regexp.MustCompile(`(?i)\bGHSA(?:-[23456789cfghjmpqrvwx]{4}){3}\b`)
	reSecurity      = regexp.MustCompile(`(?i)(?:^|[^\w-])(security|vulnerab(?:le|ility|ilities)|XSS|CSRF|SSRF|open redirect)(?:$|[^\w-])`)
	reSecurityFeat  = regexp.MustCompile(`(?i)^\s*(?:headers?|policy|policies|mode|settings?|keys?)\b`)
	reHeading       = regexp.MustCompile(`^(?:#{1,6}\s+(.+?)\s*#*|\*\*([^*]+?)\*\*\s*[:.]?|__([^_]+?)__\s*:?)$`)
)

// normalizeNotes makes notes valid UTF-8 with \n line ends.
func normalizeNotes(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// section reduces a heading to the class that qualifies the lines under it.
func section(heading string) string {
	h := strings.ToLower(heading)
	switch {
	case strings.Contains(h, "breaking"):
		return KindBreaking
	case strings.Contains(h, "remov"):
		return KindRemoval
	case strings.Contains(h, "deprecat"):
		return KindDeprecation
	}
	return "other"
}

// bare strips what precedes the words of a line: list markers, bold,
// quote marks and ticket tags such as "[SDK-2037]".
func bare(t string) string {
	if loc := listMarker(t); loc > 0 {
		t = t[loc:]
	}
	t = strings.TrimLeft(t, "*_> ")
	for strings.HasPrefix(t, "[") {
		j := strings.IndexByte(t, ']')
		if j < 0 || j > 41 || strings.HasPrefix(t[j+1:], "(") {
			break // not a ticket tag: a link
		}
		t = strings.TrimLeft(t[j+1:], " ")
	}
	return strings.TrimLeft(t, "*_ ")
}

// listMarker returns the length of a leading "- ", "* ", "+ " or "1. "
// marker, or 0.
func listMarker(t string) int {
	i := 0
	if len(t) > 0 && (t[0] == '-' || t[0] == '*' || t[0] == '+') {
		i = 1
	} else {
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
		}
		if i == 0 || i == len(t) || (t[i] != '.' && t[i] != ')') {
			return 0
		}
		i++
	}
	if i >= len(t) || (t[i] != ' ' && t[i] != '\t') {
		return 0
	}
	for i < len(t) && (t[i] == ' ' || t[i] == '\t') {
		i++
	}
	return i
}

// choreWords start the conventional-commit lines that are housekeeping.
var choreWords = map[string]bool{"fix": true, "fixes": true, "chore": true, "doc": true, "docs": true, "ci": true,
	"test": true, "tests": true, "build": true, "refactor": true, "style": true, "perf": true, "revert": true,
	"bump": true, "deps": true}

// commitType reads a conventional-commit prefix ("fix(scope):", "fix/")
// and returns its type, lower-cased, or "".
func commitType(b string) string {
	i := 0
	for i < len(b) && (b[i]|0x20 >= 'a' && b[i]|0x20 <= 'z') {
		i++
	}
	w, rest := strings.ToLower(b[:i]), b[i:]
	if strings.HasPrefix(rest, "(") {
		j := strings.IndexByte(rest, ')')
		if j < 0 {
			return ""
		}
		rest = rest[j+1:]
	}
	rest = strings.TrimLeft(rest, " !")
	if strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "/") {
		return w
	}
	return ""
}

// isChore reports a housekeeping line: "fix: …", "chore(deps): …",
// "Revert …".
func isChore(b string) bool {
	if len(b) >= 6 && strings.EqualFold(b[:6], "revert") {
		return true
	}
	return choreWords[commitType(b)]
}

// stripURLs drops http(s) URLs, whose paths name anything.
func stripURLs(t string) string {
	if !strings.Contains(t, "http") {
		return t
	}
	var b strings.Builder
	for {
		i := strings.Index(t, "http")
		if i < 0 {
			break
		}
		rest := t[i:]
		if !strings.HasPrefix(rest, "http://") && !strings.HasPrefix(rest, "https://") {
			b.WriteString(t[:i+4])
			t = t[i+4:]
			continue
		}
		b.WriteString(t[:i])
		end := strings.IndexAny(rest, " \t)]>")
		if end < 0 {
			end = len(rest)
		}
		t = rest[end:]
	}
	b.WriteString(t)
	return b.String()
}

// classify finds the lines of release notes that announce breaking
// changes, removals, deprecations or security fixes. Housekeeping lines
// ("fix: remove unused logs", "chore: migration guide") are not
// announcements; an explicit BREAKING marker always is.
func classify(notes string) []marker {
	lines := strings.Split(normalizeNotes(notes), "\n")
	var out []marker
	sect, sectLine := "", -1
	for i, raw := range lines {
		t := strings.TrimSpace(raw)
		if t == "" {
			continue
		}
		isHeading := false
		if c := t[0]; c == '#' || c == '*' || c == '_' {
			if m := reHeading.FindStringSubmatch(t); m != nil {
				isHeading = true
				sect, sectLine = section(m[1]+m[2]+m[3]), i
			}
		}
		// Cheap keyword checks first: most lines announce nothing, and the
		// expressions below backtrack.
		plain := stripURLs(t)
		low := strings.ToLower(plain)
		b := bare(plain)
		chore := isChore(b)
		seen := map[string]bool{}
		add := func(kind, term string, at, head int) {
			if seen[kind] {
				return
			}
			seen[kind] = true
			if j := strings.Index(t, term); j >= 0 {
				at = j // offsets into plain shift where URLs were cut
			}
			out = append(out, marker{kind: kind, line: i, head: head, term: term, text: shorten(t, at)})
		}
		// Breaking.
		if strings.Contains(low, "breaking") {
			if loc := reBreakingUpper.FindStringIndex(plain); loc != nil && !reNegated.MatchString(plain[:loc[0]]) {
				add(KindBreaking, plain[loc[0]:loc[1]], loc[0], -1)
			}
			for _, loc := range reBreaking.FindAllStringIndex(plain, -1) {
				if !reNegated.MatchString(plain[:loc[0]]) {
					add(KindBreaking, plain[loc[0]:loc[1]], loc[0], -1)
					break
				}
			}
		}
		if strings.Contains(b, "!:") && reBang.MatchString(b) {
			add(KindBreaking, b[:strings.Index(b, ":")+1], 0, -1)
		}
		if !chore && strings.Contains(low, "migration") {
			if loc := reMigration.FindStringIndex(plain); loc != nil {
				add(KindBreaking, plain[loc[0]:loc[1]], loc[0], -1)
			}
		}
		// Removals and end of life.
		eol := func(re *regexp.Regexp) {
			if loc := re.FindStringIndex(plain); loc != nil {
				add(KindRemoval, plain[loc[0]:loc[1]], loc[0], -1)
			}
		}
		if strings.Contains(low, "life") || strings.Contains(low, "sunset") {
			eol(reEndOfLife)
		}
		if strings.Contains(low, "support") {
			eol(reDropSupport)
			if strings.Contains(low, "support for") && (strings.Contains(low, "removed") || strings.Contains(low, "dropped")) {
				eol(reSupportGone)
			}
		}
		if strings.Contains(plain, "EOL") {
			if loc := reEOL.FindStringIndex(plain); loc != nil {
				add(KindRemoval, "EOL", loc[0], -1)
			}
		}
		if !chore && !isHeading {
			if strings.Contains(b, "`") {
				if loc := reRemovalVerb.FindStringIndex(b); loc != nil {
					add(KindRemoval, b[loc[0]:loc[1]], 0, -1)
				}
			}
			if strings.Contains(low, "no longer") {
				if loc := reNoLonger.FindStringIndex(plain); loc != nil {
					add(KindRemoval, plain[loc[0]:loc[1]], loc[0], -1)
				}
			}
			if (sect == KindRemoval || sect == KindBreaking) && listMarker(t) > 0 {
				add(sect, "listed under "+strings.TrimSpace(strings.Trim(lines[sectLine], "#*_ :.")), 0, sectLine)
			}
		}
		// Deprecations; Node's "deprecation warning" is not one.
		if strings.Contains(low, "deprecat") {
			for _, loc := range reDeprecat.FindAllStringIndex(plain, -1) {
				rest := strings.ToLower(strings.TrimLeft(plain[loc[1]:], " "))
				if !strings.HasPrefix(rest, "warning") {
					add(KindDeprecation, plain[loc[0]:loc[1]], loc[0], -1)
					break
				}
			}
		}
		// Security: advisory ids anywhere (links included), the word in
		// prose but not in feature names ("security headers").
		tl := low
		if len(plain) != len(t) {
			tl = strings.ToLower(t)
		}
		switch {
		case strings.Contains(tl, "cve-") && reCVE.MatchString(t):
			loc := reCVE.FindStringIndex(t)
			add(KindSecurity, strings.ToUpper(t[loc[0]:loc[1]]), loc[0], -1)
		case strings.Contains(tl, "ghsa") && reGHSA.MatchString(t):
			loc := reGHSA.FindStringIndex(t)
			add(KindSecurity, t[loc[0]:loc[1]], loc[0], -1)
		case securityWord(low) && commitType(b) != "feat" && commitType(b) != "feature":
			for _, m := range reSecurity.FindAllStringSubmatchIndex(plain, -1) {
				if !reSecurityFeat.MatchString(plain[m[3]:]) {
					add(KindSecurity, plain[m[2]:m[3]], m[2], -1)
					break
				}
			}
		}
	}
	return out
}

// securityWord is the keyword check before reSecurity.
func securityWord(low string) bool {
	for _, w := range []string{"secur", "vulnerab", "xss", "csrf", "ssrf", "redirect"} {
		if strings.Contains(low, w) {
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
