// Package rules holds the generic rules that serve every source type:
// expectations (`[[expect]]`: what the deployed app relies on) and
// thresholds (`[[source.threshold]]`: limits a number must stay within).
// Provider types bring their own rules in their packages.
package rules

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/driftwatch/driftwatch/diff"
)

// show renders a document value as short text for titles and details.
func show(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return "null"
	}
	b, err := diff.Canonical(v, diff.Options{})
	if err != nil {
		return fmt.Sprint(v)
	}
	return clip(string(b), 200)
}

// clip shortens s to n runes.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// titleMax is the most runes a title keeps: titles are single lines in
// notices and listings, and upstream values in them can be long.
const titleMax = 300

// oneLine makes a title of text that may hold upstream values: control
// characters (newlines, tabs) become spaces, and it is clipped.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return clip(s, titleMax)
}

// number reads a numeric document value.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// equal compares two values as JSON: 1 and 1.0 are equal numbers.
func equal(a, b any) bool {
	fa, oka := number(a)
	fb, okb := number(b)
	_, sa := a.(string)
	_, sb := b.(string)
	if oka && okb && !sa && !sb {
		return fa == fb
	}
	ca, err1 := diff.Canonical(a, diff.Options{})
	cb, err2 := diff.Canonical(b, diff.Options{})
	return err1 == nil && err2 == nil && string(ca) == string(cb)
}
