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
//
// The rule is a watcher.Folder: a built-in rule's finding with the same
// cause as a violated expectation (the callback it names was removed, the
// client holding it was deleted, the value it pins changed) folds into the
// expectation's finding, which keeps the expectation's severity and note.
func Expect(exps []Expectation) watcher.Rule {
	return expectRule(exps)
}

type expectRule []Expectation

var _ watcher.Folder = expectRule(nil)

// Judge implements watcher.Rule.
func (r expectRule) Judge(j *watcher.Judgement) []watcher.Finding {
	var out []watcher.Finding
	for _, e := range r {
		if f, violated := e.judge(j.New); violated {
			out = append(out, f)
		}
	}
	return out
}

// Fold implements watcher.Folder: the first finding folded in gives its
// title (with the expectation's note), its values and its link; every one
// adds its detail before the expectation's.
func (r expectRule) Fold(f *watcher.Finding, other watcher.Finding) bool {
	for _, e := range r {
		if "expect."+e.Kind != f.Rule || e.Path != f.Path || e.subject() != f.Subject {
			continue
		}
		if !e.covers(other) {
			return false
		}
		if len(f.Folded) == 0 {
			f.Title = other.Title
			if e.Note != "" {
				f.Title += " (" + e.Note + ")"
			}
			f.Title = oneLine(f.Title)
			if other.Old != "" || other.New != "" {
				f.Old, f.New = other.Old, other.New
			}
		}
		if other.Detail != "" {
			f.Detail = other.Detail + "\n" + f.Detail
		}
		if f.URL == "" {
			f.URL = other.URL
		}
		return true
	}
	return false
}

// covers reports whether a finding of another rule has the cause this
// expectation's violation has: a change at its path (for contains, of the
// member it names), or the removal of what holds its path.
func (e Expectation) covers(other watcher.Finding) bool {
	if other.Rule == "" || strings.HasPrefix(other.Rule, "expect.") {
		return false
	}
	member := ""
	if e.Kind == "contains" {
		member = show(e.Value)
	}
	switch {
	case other.Path == e.Path:
		return member == "" || other.Subject == member || other.Subject == ""
	case member != "" && other.Path == e.Path+"/"+escapeSegment(member):
		return other.Subject == member || other.Subject == ""
	case strings.HasPrefix(e.Path, other.Path+"/") && other.Subject == "":
		return true // the client, connection or API holding the path is gone
	}
	return false
}

func escapeSegment(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

func (e Expectation) subject() string { return e.Kind + ":" + show(e.Value) + e.Constraint }

func (e Expectation) judge(doc any) (watcher.Finding, bool) {
	v, found := diff.Get(doc, e.Path)
	f := watcher.Finding{
		Rule: "expect." + e.Kind, Severity: e.Severity, Category: e.Category, Path: e.Path,
		Subject: e.subject(), Note: e.Note,
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
