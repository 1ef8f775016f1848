package rules

import (
	"fmt"
	"strconv"

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
			var n float64
			if ok {
				n, ok = number(v)
			}
			if !ok {
				out = append(out, carried(j, t)...)
				continue
			}
			var rule, word string
			var limit float64
			switch {
			case t.Above != nil && n > *t.Above:
				rule, word, limit = "threshold.above", "above", *t.Above
			case t.Below != nil && n < *t.Below:
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
