package rules_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/driftwatch/driftwatch/rules"
)

// Cap counts runes, not bytes, and never splits one.
func TestCapKeepsRuneBoundaries(t *testing.T) {
	long := strings.Repeat("é", 600)
	got := rules.Cap(long, 500)
	if !utf8.ValidString(got) || utf8.RuneCountInString(got) != 500 || !strings.HasSuffix(got, "…") {
		t.Errorf("Cap: %d runes, valid %v, suffix %q", utf8.RuneCountInString(got), utf8.ValidString(got), got[len(got)-3:])
	}
	if got := rules.Cap("short", 500); got != "short" {
		t.Errorf("Cap(short) = %q", got)
	}
	if got := rules.Quoted("deprecated", "use v2\x1b[31m", 100); got != `deprecated: "use v2\x1b[31m"` {
		t.Errorf("Quoted = %q", got)
	}
}
