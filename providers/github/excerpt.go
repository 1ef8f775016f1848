package github

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// The excerpt's bounds, in runes.
const (
	excerptMax    = 1500
	excerptMarked = 1000 // at most this much of it for marked lines
	lineMax       = 300
)

// shorten cuts a line to lineMax runes, keeping the byte offset at in
// view; cut ends are shown with "…".
func shorten(line string, at int) string {
	if utf8.RuneCountInString(line) <= lineMax {
		return line
	}
	r := []rune(line)
	pos := utf8.RuneCountInString(line[:max(0, min(at, len(line)))])
	start := 0
	if pos > lineMax-100 {
		start = pos - 100
	}
	end := min(len(r), start+lineMax-2)
	s := string(r[start:end])
	if start > 0 {
		s = "…" + s
	}
	if end < len(r) {
		s += "…"
	}
	return s
}

// excerpt bounds release notes to excerptMax runes while keeping the lines
// that announce breaking changes, removals, deprecations and security
// fixes, wherever they stand: first one line of each kind, then further
// marked lines, then the start of the notes. Omitted stretches read "…".
func excerpt(notes string, ms []marker) string {
	notes = normalizeNotes(notes)
	if trimmed := strings.TrimSpace(notes); utf8.RuneCountInString(trimmed) <= excerptMax {
		return trimmed
	}
	// Same line numbers as classify, which saw the same normalized notes.
	lines := strings.Split(notes, "\n")
	chosen := map[int]string{}
	used := 0
	take := func(i int, text string, limit int) bool {
		if i < 0 || i >= len(lines) {
			return true
		}
		if _, ok := chosen[i]; ok {
			return true
		}
		// Each line costs a newline and a possible "…" line before it;
		// two runes stay free for a closing "…".
		n := utf8.RuneCountInString(text) + 3
		if used+n > limit-2 {
			return false
		}
		chosen[i] = text
		used += n
		return true
	}
	ordered := make([]marker, 0, len(ms))
	for _, k := range kindOrder {
		for _, m := range ms {
			if m.kind == k {
				ordered = append(ordered, m)
				break
			}
		}
	}
	ordered = append(ordered, ms...)
	// A marked line goes with the heading it stands under and the item it
	// is nested in: classify reads them to judge the line, and must judge
	// the excerpt as it judged the notes.
	for _, m := range ordered {
		if m.head >= 0 && !take(m.head, shorten(lines[m.head], 0), excerptMarked) {
			continue
		}
		if m.head >= 0 && m.head+1 < len(lines) && isUnderline(lines[m.head+1]) {
			take(m.head+1, lines[m.head+1], excerptMarked) // keep a setext heading one
		}
		if m.parent >= 0 && !take(m.parent, shorten(lines[m.parent], 0), excerptMarked) {
			continue
		}
		if take(m.line, leading(lines[m.line])+m.text, excerptMarked) {
			// The marker's text is its whole logical line: the lines it
			// wraps onto are in it already.
			for k := m.line + 1; k <= m.end && k < len(lines); k++ {
				if _, ok := chosen[k]; !ok {
					chosen[k] = ""
				}
			}
			// A heading announces through what stands under it.
			if m.body >= 0 {
				take(m.body, leading(lines[m.body])+shorten(strings.TrimSpace(lines[m.body]), 0), excerptMarked)
				if isFence(strings.TrimSpace(lines[m.body])) {
					// A code block: its fences without the code.
					for k := m.body + 1; k < len(lines); k++ {
						if isFence(strings.TrimSpace(lines[k])) {
							take(k, strings.TrimSpace(lines[k]), excerptMarked)
							break
						}
					}
				}
			}
		}
	}
	// Then the start of the notes, without code blocks.
	inFence := false
	for i := range lines {
		t := strings.TrimSpace(lines[i])
		if isFence(t) {
			inFence = !inFence
			continue
		}
		if t == "" || inFence {
			continue
		}
		if !take(i, shorten(lines[i], 0), excerptMax) {
			break
		}
	}
	idx := make([]int, 0, len(chosen))
	for i := range chosen {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	var b strings.Builder
	prev := -1
	for _, i := range idx {
		if chosen[i] == "" {
			prev = i // a wrapped line, written with the line it continues
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if !blankBetween(lines, prev, i) {
				b.WriteString("…\n")
			}
		}
		b.WriteString(chosen[i])
		prev = i
	}
	if len(idx) > 0 && idx[len(idx)-1] < len(lines)-1 {
		b.WriteString("\n…")
	}
	return strings.TrimSpace(b.String())
}

// leading returns the blanks a line starts with (nesting is structure).
func leading(line string) string {
	return line[:len(line)-len(strings.TrimLeft(line, " \t"))]
}

// blankBetween reports whether only blank lines stand between lines a and b.
func blankBetween(lines []string, a, b int) bool {
	for k := a + 1; k < b; k++ {
		if strings.TrimSpace(lines[k]) != "" {
			return false
		}
	}
	return true
}
