package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// Threshold is one [[source.threshold]]: a number in the document that must
// stay at or below Above, or at or above Below — the "$5 database at 100%".
type Threshold struct {
	Path     string
	Above    *float64
	Below    *float64
	Severity watcher.Severity
	Category watcher.Category
}

// Thresholds returns the rule judging a source's thresholds. A path that is
// missing or not a number raises nothing new, but an open finding of that
// threshold stays open: an endpoint answering an error body for a poll has
// not fixed the database's load.
func Thresholds(ts []Threshold) watcher.Rule {
	return watcher.RuleFunc(func(j *watcher.Judgement) []watcher.Finding {
		var out []watcher.Finding
		for _, t := range ts {
			v, ok := diff.Get(j.New, t.Path)
			var n *big.Rat
			if ok {
				n, ok = exactNumber(v)
			}
			if !ok {
				out = append(out, carried(j, t)...)
				continue
			}
			var rule, word string
			var limit float64
			switch {
			case t.Above != nil && beyond(n, *t.Above, 1):
				rule, word, limit = "threshold.above", "above", *t.Above
			case t.Below != nil && beyond(n, *t.Below, -1):
				rule, word, limit = "threshold.below", "below", *t.Below
			default:
				continue
			}
			lim := strconv.FormatFloat(limit, 'f', -1, 64)
			out = append(out, watcher.Finding{
				Rule: rule, Severity: t.Severity, Category: t.Category, Path: t.Path, Subject: lim,
				Title:  oneLine(fmt.Sprintf("%s is %s, %s the limit of %s", t.Path, show(v), word, lim)),
				Detail: fmt.Sprintf("value: %s\nlimit: %s %s\n%s", show(v), word, lim, t.Category.Plain()),
				New:    show(v),
			})
		}
		return out
	})
}

// carried returns the threshold's open findings unchanged.
func carried(j *watcher.Judgement, t Threshold) []watcher.Finding {
	var out []watcher.Finding
	for _, rule := range []string{"threshold.above", "threshold.below"} {
		for _, f := range j.OpenOf(rule) {
			if f.Path == t.Path {
				out = append(out, watcher.Finding{Rule: f.Rule, Severity: f.Severity, Category: f.Category,
					Path: f.Path, Subject: f.Subject, Title: f.Title, Detail: f.Detail, New: f.New})
			}
		}
	}
	return out
}

// beyond reports whether n is strictly above (dir 1) or below (dir -1)
// limit, compared exactly: the limit as the decimal it was written as, not
// its nearest binary fraction. A NaN or infinite limit never fires
// (validate refuses them).
func beyond(n *big.Rat, limit float64, dir int) bool {
	if math.IsNaN(limit) || math.IsInf(limit, 0) {
		return false
	}
	l, ok := new(big.Rat).SetString(strconv.FormatFloat(limit, 'g', -1, 64))
	return ok && n.Cmp(l) == dir
}

// hugeExp bounds the decimal exponents parsed exactly: every finite
// float64 limit lies within 10^±325, so a value beyond 10^±400 compares
// like ±10^±400 (its sign and side of every limit kept) without building
// a number of a million digits from "1e1000000".
const hugeExp = 400

// exactNumber reads a numeric document value (a JSON number, or a string
// holding one) as an exact rational: 1e400 is not +Inf and
// 9007199254740993 is not 9007199254740992.
func exactNumber(v any) (*big.Rat, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		return new(big.Rat).SetFloat64(x), true
	case int64:
		return new(big.Rat).SetInt64(x), true
	case int:
		return new(big.Rat).SetInt64(int64(x)), true
	default:
		return nil, false
	}
	mant, exp, neg, ok := splitNumber(s)
	if !ok {
		return nil, false
	}
	if mant.digits == 0 {
		return new(big.Rat), true
	}
	// The value's order of magnitude: the exponent plus where the first
	// significant digit stands.
	order := exp + int64(mant.lead)
	if order > hugeExp || order < -hugeExp {
		r, _ := new(big.Rat).SetString("1e" + strconv.Itoa(int(math.Copysign(hugeExp, float64(order)))))
		if neg {
			r.Neg(r)
		}
		return r, true
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// mantissa describes a decimal's digits: how many are significant, and
// the power of ten of the first one (relative to the exponent).
type mantissa struct {
	digits int
	lead   int
}

// splitNumber checks a decimal number's syntax (JSON's, with an optional
// leading + and a bare leading dot) and returns its mantissa's shape, its
// exponent (saturated) and its sign.
func splitNumber(s string) (m mantissa, exp int64, neg bool, ok bool) {
	if s == "" {
		return m, 0, false, false
	}
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	body, e, hasExp := strings.Cut(strings.ToLower(s), "e")
	if hasExp {
		x, err := strconv.ParseInt(e, 10, 64)
		if err != nil {
			var ne *strconv.NumError
			if !errors.As(err, &ne) || !errors.Is(ne.Err, strconv.ErrRange) {
				return m, 0, false, false
			}
			x = math.MaxInt32
			if strings.HasPrefix(e, "-") {
				x = math.MinInt32
			}
		}
		exp = max(min(x, math.MaxInt32), math.MinInt32)
	}
	intPart, frac, _ := strings.Cut(body, ".")
	if intPart == "" && frac == "" {
		return m, 0, false, false
	}
	first := -1 // index of the first non-zero digit in intPart+frac
	for i, c := range intPart + frac {
		if c < '0' || c > '9' {
			return m, 0, false, false
		}
		if c != '0' && first < 0 {
			first = i
		}
	}
	if first < 0 {
		return m, exp, neg, true // zero
	}
	m.digits = len(intPart) + len(frac) - first
	m.lead = len(intPart) - first - 1
	return m, exp, neg, true
}
