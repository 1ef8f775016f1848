package watcher

import (
	"testing"
)

// pathFolder folds every finding at its own path into its finding.
type pathFolder struct{ out []Finding }

func (r pathFolder) Judge(*Judgement) []Finding { return r.out }

func (r pathFolder) Fold(f *Finding, other Finding) bool {
	if other.Path != f.Path {
		return false
	}
	f.Title = other.Title + " (expected)"
	return true
}

// The engine makes one finding of one cause: a Folder's finding absorbs
// plain rules' findings it claims, names their rules, keeps them for
// carrying forward, and links the result; unrelated findings stay.
func TestJudgeFoldsAndLinks(t *testing.T) {
	removed := Finding{Rule: "auth0.url_removed", Path: "/clients/a/callbacks", Subject: "https://x", Title: "URL removed"}
	other := Finding{Rule: "auth0.grant_removed", Path: "/clients/a/grant_types", Subject: "implicit", Title: "grant removed"}
	exp := Finding{Rule: "expect.contains", Path: "/clients/a/callbacks", Subject: "contains:https://x", Title: "expectation failed"}
	rt := &Runtime{
		Source: Source{Name: "auth0-prod"},
		Rules: []Rule{
			RuleFunc(func(*Judgement) []Finding { return []Finding{removed, other} }),
			pathFolder{out: []Finding{exp}},
		},
		Link: func(j *Judgement, f *Finding) { f.AddLink("Dashboard", "https://manage.example/"+f.Rule) },
	}
	e := &Engine{}
	out, err := e.judge(rt, &Judgement{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 {
		t.Fatalf("findings %+v; want the expectation and the unrelated grant", out)
	}
	var f Finding
	for _, g := range out {
		if g.Rule == "expect.contains" {
			f = g
		}
	}
	if f.Title != "URL removed (expected)" || len(f.Also) != 1 || f.Also[0] != "auth0.url_removed" ||
		len(f.Folded) != 1 || f.Folded[0].Subject != "https://x" || f.URL != "https://manage.example/expect.contains" {
		t.Errorf("folded finding %+v", f)
	}
	if got := f.Rules(); len(got) != 2 || got[0] != "expect.contains" {
		t.Errorf("Rules() = %v", got)
	}

	// Stored and judged again, the folded finding is open to its rule.
	f.State = Acked
	open := unfold([]Finding{f})
	if len(open) != 2 || open[1].Rule != "auth0.url_removed" || open[1].State != Acked || open[1].Source != f.Source {
		t.Errorf("unfold = %+v", open)
	}
	j := &Judgement{Open: open}
	if got := j.OpenOf("auth0.url_removed"); len(got) != 1 {
		t.Errorf("OpenOf the folded rule = %v", got)
	}
}
