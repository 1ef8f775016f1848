package rules

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// Expectation is one [[expect]]: a condition on a source's document that
// the deployed app relies on. A violation is a finding.
type Expectation struct {
	Path string
	// Kind is contains, equals, present, absent or semver.
	Kind string
	// Value is what contains or equals compares with.
	Value any
	// Constraint is the semver range for Kind semver.
	Constraint string
	Severity   watcher.Severity
	Category   watcher.Category
	Note       string
}

// Expect returns the rule judging a source's expectations. Constraints must
// have been validated already; one that does not parse never holds.
func Expect(exps []Expectation) watcher.Rule {
	return watcher.RuleFunc(func(j *watcher.Judgement) []watcher.Finding {
		var out []watcher.Finding
		for _, e := range exps {
			if f, violated := e.judge(j.New); violated {
				out = append(out, f)
			}
		}
		return out
	})
}

func (e Expectation) judge(doc any) (watcher.Finding, bool) {
	v, found := diff.Get(doc, e.Path)
	f := watcher.Finding{
		Rule: "expect." + e.Kind, Severity: e.Severity, Category: e.Category, Path: e.Path,
		Subject: e.Kind + ":" + show(e.Value) + e.Constraint, Note: e.Note,
	}
	if found {
		f.New = show(v)
	}
	var problem string
	switch e.Kind {
	case "contains":
		want := show(e.Value)
		switch {
		case !found:
			problem = fmt.Sprintf("%s is missing; expected it to contain %s", e.Path, want)
		case contains(v, e.Value):
			return f, false
		default:
			problem = fmt.Sprintf("%s no longer contains %s", e.Path, want)
		}
		f.Old = want
	case "equals":
		want := show(e.Value)
		switch {
		case !found:
			problem = fmt.Sprintf("%s is missing; expected %s", e.Path, want)
		case equal(v, e.Value):
			return f, false
		default:
			problem = fmt.Sprintf("%s is %s, expected %s", e.Path, show(v), want)
		}
		f.Old = want
	case "present":
		if found {
			return f, false
		}
		problem = fmt.Sprintf("%s is missing", e.Path)
	case "absent":
		if !found {
			return f, false
		}
		problem = fmt.Sprintf("%s is present (%s); expected it absent", e.Path, show(v))
	case "semver":
		c, err := semver.NewConstraint(e.Constraint)
		s, isString := v.(string)
		switch {
		case err != nil:
			problem = fmt.Sprintf("semver constraint %q does not parse", e.Constraint)
		case !found:
			problem = fmt.Sprintf("%s is missing; expected a version %s", e.Path, e.Constraint)
		case !isString:
			problem = fmt.Sprintf("%s is %s, not a version", e.Path, show(v))
		default:
			ver, err := semver.NewVersion(strings.TrimSpace(s))
			if err != nil {
				problem = fmt.Sprintf("%s is %q, not a version", e.Path, s)
			} else if c.Check(ver) {
				return f, false
			} else {
				problem = fmt.Sprintf("%s is %s, outside %s", e.Path, s, e.Constraint)
			}
		}
		f.Old = e.Constraint
	default:
		return f, false
	}
	f.Title = "Expectation failed: " + problem
	if e.Note != "" {
		f.Title += " (" + e.Note + ")"
	}
	f.Title = oneLine(f.Title)
	f.Detail = problem
	if f.Old != "" {
		f.Detail += "\nexpected: " + f.Old
	}
	if f.New != "" {
		f.Detail += "\nnow: " + f.New
	}
	if e.Note != "" {
		f.Detail += "\nnote: " + e.Note
	}
	return f, true
}

// contains reports whether an array holds want as a member, or a string
// holds it as a substring.
func contains(v, want any) bool {
	switch x := v.(type) {
	case []any:
		for _, m := range x {
			if equal(m, want) {
				return true
			}
		}
	case string:
		if s, ok := want.(string); ok {
			return strings.Contains(x, s)
		}
	case map[string]any:
		if s, ok := want.(string); ok {
			_, has := x[s]
			return has
		}
	}
	return false
}
