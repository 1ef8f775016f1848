package rules

import (
	"strconv"
	"unicode/utf8"
)

// Cap shortens upstream text to at most n runes, ending with "…" when it
// cut anything; it never splits a rune. A snapshot keeps upstream prose
// (a deprecation message, a retraction's rationale) capped so one long
// message cannot bloat every stored version.
func Cap(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	count := 0
	for i := range s {
		if count == n-1 {
			return s[:i] + "…"
		}
		count++
	}
	return s
}

// Quoted is the state a finding shows as its New value when nothing
// changed from an old value: what upstream says, capped and quoted
// (`deprecated: "use example.com/bar/v2 instead"`), control characters
// escaped.
func Quoted(label, text string, n int) string {
	return label + ": " + strconv.Quote(Cap(text, n))
}
