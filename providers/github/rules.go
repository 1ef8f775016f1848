package github

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// The rules of a releases source.
const (
	RuleMajorAvailable  = "release.major_available"
	RuleBreakingNotes   = "release.breaking_notes"
	RuleSecurity        = "release.security"
	RuleAdvisory        = "release.advisory"
	RuleDeployedMissing = "release.deployed_missing"
)

// RuleOptions tune the release rules; there are none yet.
type RuleOptions struct{}

// Rules returns the rules that judge a releases document.
func Rules(opt RuleOptions) []watcher.Rule {
	return []watcher.Rule{
		watcher.RuleFunc(majorAvailable),
		watcher.RuleFunc(breakingNotes),
		watcher.RuleFunc(securityNotes),
		watcher.RuleFunc(advisory),
		watcher.RuleFunc(deployedMissing),
		watcher.RuleFunc(tenantChangeNeeded),
	}
}

// detail joins the non-empty parts of a finding's detail.
func detail(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "\n")
}

// published describes when and where a release was published.
func published(r release) string {
	s := "Release " + r.tag
	if r.name != "" && r.name != r.tag {
		s += fmt.Sprintf(" (%q)", r.name)
	}
	if r.published != "" {
		s += ", published " + day(r.published)
	}
	if r.url != "" {
		s += ": " + r.url
	}
	return s + "."
}

// majorAvailable is a state rule: one finding per major version above the
// deployed one, titled with that major's newest release. It lists every
// release of that major whose notes announce breaking changes or removals,
// each with its excerpt: a major's breaks are not all in its X.0.0 (a
// minor such as v4.22.0 can carry one). It resolves when the deployed
// version catches up. Releases in such a major are not judged again by the
// note rules: one new major is one finding.
func majorAvailable(j *watcher.Judgement) []watcher.Finding {
	v := readView(j.New)
	if v.deployed == nil {
		return nil
	}
	byMajor := map[uint64][]release{}
	for _, r := range v.releases {
		if v.newMajor(r) {
			byMajor[r.version.Major()] = append(byMajor[r.version.Major()], r)
		}
	}
	majors := make([]uint64, 0, len(byMajor))
	for m := range byMajor {
		majors = append(majors, m)
		sort.Slice(byMajor[m], func(a, b int) bool {
			x, y := byMajor[m][a], byMajor[m][b]
			if !x.version.Equal(y.version) {
				return x.version.LessThan(y.version)
			}
			return x.tag < y.tag
		})
	}
	sort.Slice(majors, func(a, b int) bool { return majors[a] < majors[b] })
	var out []watcher.Finding
	for _, m := range majors {
		rels := byMajor[m]
		f, r := rels[0], rels[len(rels)-1]
		var breaking []release
		for _, x := range rels {
			if len(x.has(KindBreaking, KindRemoval)) > 0 {
				breaking = append(breaking, x)
			}
		}
		notes := ""
		switch {
		case len(breaking) > 0:
			tags := make([]string, len(breaking))
			for i, x := range breaking {
				tags[i] = x.tag
			}
			notes = fmt.Sprintf("Releases of major %d whose notes announce breaking changes: %s.", m, strings.Join(tags, ", "))
		case len(f.has(KindDeprecation)) > 0:
			notes = fmt.Sprintf("The notes of %s announce: %s.", f.tag, KindDeprecation)
		}
		intro := published(r)
		if f.tag != r.tag {
			intro = published(f) + "\nNewest: " + published(r)
		}
		tenant := strings.Join(tenantNotes(j, v, f), "\n")
		out = append(out, watcher.Finding{
			Rule: RuleMajorAvailable, Severity: watcher.Warning, Category: watcher.ThirdParty,
			Path: "/releases", Subject: strconv.FormatUint(m, 10),
			Title: fmt.Sprintf("%s %s: major release above deployed %s", v.repo, r.tag, v.deployedRaw),
			Detail: detail(
				fmt.Sprintf("Major version %d is out; the app runs %s.", m, v.deployedRaw),
				intro, notes, tenant),
			Old: v.deployedRaw, New: r.tag, Note: tenant,
			Excerpt: majorExcerpt(f, breaking),
		})
	}
	return out
}

// majorExcerpt joins the breaking lines of each breaking release of a
// major, headed by its tag; without any, the first release's marked lines
// or the start of its notes.
func majorExcerpt(first release, breaking []release) string {
	if len(breaking) == 0 {
		return excerptOf(first, first.markedLines(KindBreaking, KindRemoval, KindDeprecation))
	}
	if len(breaking) == 1 && breaking[0].tag == first.tag {
		return excerptOf(first, first.markedLines(KindBreaking, KindRemoval, KindDeprecation))
	}
	// Each release gets a fair share of the bound, so a long X.0.0 does
	// not crowd out a breaking minor.
	share := max(majorExcerptMax/len(breaking), 120)
	var b strings.Builder
	for _, x := range breaking {
		part := x.tag + ":\n" + excerptOf(x, x.markedLines(KindBreaking, KindRemoval))
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(clean(part, share))
	}
	return clean(b.String(), majorExcerptMax)
}

// majorExcerptMax bounds the excerpt of a major's finding, in runes.
const majorExcerptMax = 2000

// noteRule judges releases newer than the deployed version whose notes
// carry one of the kinds. It is a change rule: silent on the baseline, it
// fires for releases that appeared or whose notes changed since the old
// document, and carries its findings forward while the release stays
// newer than the deployed version and its notes keep the marker.
func noteRule(j *watcher.Judgement, rule string, kinds []string, skipNewMajors bool, title func(view, release, []marker) string) []watcher.Finding {
	if j.Baseline {
		return nil
	}
	ov, nv := readView(j.Old), readView(j.New)
	open := map[string]bool{}
	for _, f := range j.OpenOf(rule) {
		open[f.Subject] = true
	}
	var out []watcher.Finding
	for _, tag := range nv.tags() {
		r := nv.releases[tag]
		if !nv.above(r) || len(r.has(kinds...)) == 0 || (skipNewMajors && nv.newMajor(r)) {
			continue
		}
		o, had := ov.releases[tag]
		if had && o.sha == r.sha && !open[tag] {
			continue
		}
		ms := r.markedLines(kinds...)
		tenant := strings.Join(tenantNotes(j, nv, r), "\n")
		out = append(out, watcher.Finding{
			Rule: rule, Severity: watcher.Warning, Category: watcher.ThirdParty,
			Path: diff.Pointer([]string{"releases", tag}), Subject: tag,
			Title: title(nv, r, ms),
			Detail: detail(published(r),
				fmt.Sprintf("The app runs %s.", orUnknown(nv.deployedRaw)), tenant),
			Old: nv.deployedRaw, New: tag, Note: tenant,
			Excerpt: excerptOf(r, ms),
		})
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "an unconfigured version"
	}
	return s
}

// breakingNotes flags notes that announce breaking changes, removals or
// deprecations in releases of the deployed major (a minor release such as
// node-auth0 v4.22.0 can carry a breaking line); a new major's notes go
// with its major_available finding.
func breakingNotes(j *watcher.Judgement) []watcher.Finding {
	return noteRule(j, RuleBreakingNotes, []string{KindBreaking, KindRemoval, KindDeprecation}, true,
		func(v view, r release, _ []marker) string {
			what := "deprecations"
			switch k := r.has(KindBreaking, KindRemoval); {
			case len(k) > 0 && k[0] == KindBreaking:
				what = "breaking changes"
			case len(k) > 0:
				what = "removals"
			}
			return fmt.Sprintf("%s %s: release notes announce %s (deployed %s)", v.repo, r.tag, what, orUnknown(v.deployedRaw))
		})
}

// securityNotes flags releases above the deployed one whose notes name a
// CVE, a GHSA advisory or a security fix.
func securityNotes(j *watcher.Judgement) []watcher.Finding {
	return noteRule(j, RuleSecurity, []string{KindSecurity}, false,
		func(v view, r release, ms []marker) string {
			what := "security fix"
			for _, m := range ms {
				if strings.HasPrefix(strings.ToUpper(m.term), "CVE-") || strings.HasPrefix(strings.ToUpper(m.term), "GHSA-") {
					what = "security fix (" + m.term + ")"
					break
				}
			}
			return fmt.Sprintf("%s %s: %s above deployed %s", v.repo, r.tag, what, orUnknown(v.deployedRaw))
		})
}
