package github

import (
	"regexp"
	"strings"
)

// The Markdown shapes of release notes, read before any words are.

// normalizeNotes makes notes valid UTF-8 with \n line ends, without the
// HTML comments GitHub does not show.
func normalizeNotes(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if strings.Contains(s, "<!--") {
		s = stripComments(s)
	}
	return s
}

// stripComments drops HTML comments outside code blocks, such as a
// template's "<!-- describe breaking changes -->", keeping their line
// ends so that lines keep their numbers. An unclosed comment runs to the
// end, as GitHub renders it.
func stripComments(s string) string {
	lines := strings.Split(s, "\n")
	inFence, inComment := false, false
	for i, line := range lines {
		if !inComment && isFence(strings.TrimSpace(line)) {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		var b strings.Builder
		rest := line
		for rest != "" {
			if inComment {
				j := strings.Index(rest, "-->")
				if j < 0 {
					rest = ""
					break
				}
				rest, inComment = rest[j+3:], false
				continue
			}
			j := strings.Index(rest, "<!--")
			if j < 0 {
				b.WriteString(rest)
				break
			}
			b.WriteString(rest[:j])
			rest, inComment = rest[j+4:], true
		}
		lines[i] = b.String()
	}
	return strings.Join(lines, "\n")
}

// reHeading matches a heading line: "### Removed", "**Security**",
// "**⚠️ BREAKING CHANGES**.", "__Deprecated__:".
var reHeading = regexp.MustCompile(`^(?:#{1,6}\s+(.+?)\s*#*|\*\*([^*]+?)\*\*\s*[:.!]?|__([^_]+?)__\s*[:.]?)$`)

// heading returns the text of a heading line, or false.
func heading(t string) (string, bool) {
	if t == "" || (t[0] != '#' && t[0] != '*' && t[0] != '_') {
		return "", false
	}
	m := reHeading.FindStringSubmatch(t)
	if m == nil {
		return "", false
	}
	return strings.TrimSpace(m[1] + m[2] + m[3]), true
}

// reUnderline is the line under a setext heading.
var reUnderline = regexp.MustCompile(`^\s{0,3}(?:-{2,}|={2,})\s*$`)

// isUnderline reports the line under a setext heading.
func isUnderline(line string) bool {
	return reUnderline.MatchString(line)
}

// isFence reports a line that opens or closes a fenced code block.
func isFence(t string) bool {
	return strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")
}

// bare strips what precedes the words of a line: list markers, bold,
// quote marks, ticket tags such as "[SDK-2037]" and pull-request links
// such as "[#1237](…)" or "[PR #1130](…):".
func bare(t string) string {
	if loc := listMarker(t); loc > 0 {
		t = t[loc:]
	}
	t = strings.TrimLeft(t, "*_> ")
	for strings.HasPrefix(t, "[") {
		j := strings.IndexByte(t, ']')
		if j < 0 || j > 41 {
			break
		}
		if strings.HasPrefix(t[j+1:], "(") {
			if !isRef(t[1:j]) {
				break // a link with words: part of the sentence
			}
			k := strings.IndexByte(t[j:], ')')
			if k < 0 {
				break
			}
			j += k
		}
		t = strings.TrimLeft(t[j+1:], " :")
	}
	// changesets: "[`fdd4ab4`](…) [#6526](…) (fixes [#6133](…)) Thanks
	// [@user](…)! - Add …": the words start after the " - ".
	if t != "" && (t[0] == '-' || t[0] == '(' || t[0] == 'T') {
		if loc := reChangesetLead.FindStringIndex(t); loc != nil {
			t = t[loc[1]:]
		}
	}
	return strings.TrimLeft(t, "*_ ")
}

// reChangesetLead is what a changesets entry puts before its words, once
// the leading references are cut: an issue it fixes, a thanks, a dash.
var reChangesetLead = regexp.MustCompile(`^(?:\(fixes\s+\[[^\]]*\]\([^)]*\)\)\s*|Thanks\s+(?:\[[^\]]*\]\([^)]*\)[,\s]*(?:and\s+)?)+!?\s*)*-\s+`)

// isRef reports a link text that is only a reference: "#123", "PR #12",
// "a1b2c3d".
func isRef(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "PR "), "\\")
	if len(s) > 2 && s[0] == '`' && s[len(s)-1] == '`' {
		s = s[1 : len(s)-1] // changesets quote the commit: [`fdd4ab4`](…)
	}
	s = strings.TrimPrefix(s, "#")
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
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

// commit is a conventional-commit prefix read off a line: "fix(auth)!:",
// "chore(deps):", "**security:**", "Bugfix:".
type commit struct {
	typ, scope string
	bang       bool
	rest       string // the line after the prefix
}

// readCommit reads a conventional-commit prefix; typ is "" when the line
// has none.
func readCommit(b string) commit {
	i := 0
	for i < len(b) && (b[i]|0x20 >= 'a' && b[i]|0x20 <= 'z' || (i > 0 && b[i] == '-')) {
		i++
	}
	if i == 0 {
		return commit{rest: b}
	}
	c := commit{typ: strings.ToLower(b[:i])}
	rest := b[i:]
	if strings.HasPrefix(rest, "(") {
		j := strings.IndexByte(rest, ')')
		if j < 0 || j > 40 {
			return commit{rest: b}
		}
		c.scope = strings.ToLower(rest[1:j])
		rest = rest[j+1:]
	}
	rest = strings.TrimLeft(rest, " ")
	if strings.HasPrefix(rest, "!") {
		c.bang = true
		rest = rest[1:]
	}
	if !strings.HasPrefix(rest, ":") && !strings.HasPrefix(rest, "/") {
		return commit{rest: b}
	}
	c.rest = strings.TrimLeft(rest[1:], "*_ ")
	return c
}

// choreTypes are the conventional-commit types of housekeeping lines.
var choreTypes = map[string]bool{"fix": true, "fixes": true, "fixed": true, "bugfix": true, "chore": true,
	"doc": true, "docs": true, "ci": true, "test": true, "tests": true, "build": true, "refactor": true,
	"style": true, "perf": true, "revert": true, "bump": true, "deps": true, "dependencies": true}

// isRevert reports a line that takes back an earlier change.
func isRevert(c commit) bool {
	return c.typ == "revert" || strings.HasPrefix(strings.ToLower(c.rest), "revert")
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

// indent is the width of a line's leading blanks.
func indent(raw string) int {
	n := 0
	for _, r := range raw {
		switch r {
		case ' ':
			n++
		case '\t':
			n += 4
		default:
			return n
		}
	}
	return n
}
