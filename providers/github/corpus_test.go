package github_test

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/providers/github"
	"github.com/driftwatch/driftwatch/providers/providertest"
)

// stableHeading reads a stable release heading of a changelog on its own,
// apart from the code under test: "## [v2.0.0](…) (2022-10-27)".
var stableHeading = regexp.MustCompile(`(?m)^## \[v?(\d+)\.(\d+)\.(\d+)\]\(`)

// knownMajors are the major releases the corpus README lists; the test
// checks the headings agree, so a broken corpus cannot pass silently.
var knownMajors = map[string][]string{
	"auth0__auth0-react.md":  {"v1.0.0", "v2.0.0"},
	"auth0__auth0-spa-js.md": {"v1.0.0", "v2.0.0"},
	"auth0__go-auth0.md":     {"v1.0.0", "v2.0.0", "v3.0.0"},
	"auth0__nextjs-auth0.md": {"1.0.0", "v2.0.0", "v3.0.0", "v4.0.0"},
	"auth0__node-auth0.md":   {"v3.0.0", "v4.0.0", "v5.0.0", "v6.0.0"},
}

// quietMajors are real majors whose notes announce nothing to break: an
// initial release.
var quietMajors = map[string]bool{"auth0__auth0-spa-js.md v1.0.0": true}

// TestCorpusChangelogs serves every corpus changelog as GitHub releases
// and checks that every real major is judged one, with the breaking
// markers of its notes, and that node-auth0's minor v4.22.0 is caught.
func TestCorpusChangelogs(t *testing.T) {
	files, err := fs.Glob(providertest.Corpus, "corpus/changelogs/*.md")
	if err != nil || len(files) != len(knownMajors) {
		t.Fatalf("corpus changelogs = %v (%v), want %d", files, err, len(knownMajors))
	}
	for _, path := range files {
		name := strings.TrimPrefix(path, "corpus/changelogs/")
		t.Run(name, func(t *testing.T) {
			md := providertest.MustRead("changelogs/" + name)
			rels := providertest.CorpusReleases(name)
			repo := "auth0/" + strings.TrimSuffix(strings.TrimPrefix(name, "auth0__"), ".md")

			// Expected, from the headings alone: each major's newest
			// stable release.
			newest := map[string][3]int{}
			var majors []string
			for _, m := range stableHeading.FindAllStringSubmatch(string(md), -1) {
				v := [3]int{atoi(m[1]), atoi(m[2]), atoi(m[3])}
				if v[0] == 0 {
					continue
				}
				k := strconv.Itoa(v[0])
				if cur, ok := newest[k]; !ok || less(cur, v) {
					newest[k] = v
				}
				if v[1] == 0 && v[2] == 0 {
					majors = append(majors, m[0][len("## ["):len(m[0])-len("](")])
				}
			}
			for _, want := range knownMajors[name] {
				if !slices.Contains(majors, want) {
					t.Fatalf("heading of known major %s not found (majors %v)", want, majors)
				}
			}

			g := providertest.NewGitHub(repo)
			defer g.Close()
			pl := newPoller(t, g, github.Config{Repo: repo, Deployed: "0.1.0"})
			pl.poll() // an empty repository: the baseline
			old := pl.last
			g.SetReleases(rels...)
			if res := pl.poll(); res.Unchanged {
				t.Fatal("releases published but the poll is unchanged")
			}
			fs := judge(github.Rules(github.RuleOptions{}), old, pl.last, nil, nil)

			got := map[string]string{}
			for _, f := range fs {
				if f.Rule == github.RuleMajorAvailable {
					got[f.Subject] = f.Title
				}
			}
			if len(got) != len(newest) {
				t.Errorf("major_available for majors %v, want %d majors", mapKeys(got), len(newest))
			}
			for k, v := range newest {
				title, ok := got[k]
				if !ok {
					t.Errorf("major %s not judged a major release", k)
					continue
				}
				if want := fmt.Sprintf("%d.%d.%d: major release above deployed 0.1.0", v[0], v[1], v[2]); !strings.Contains(title, want) {
					t.Errorf("major %s title %q, want it to name %s", k, title, want)
				}
			}

			// A new major is one finding; the breaking markers of its
			// first release go with it.
			announced := map[string]bool{}
			for _, f := range fs {
				if f.Rule == github.RuleMajorAvailable && strings.Contains(f.Detail, "announce") && f.Excerpt != "" {
					announced[f.Subject] = true
				}
				if f.Rule == github.RuleBreakingNotes && !strings.HasPrefix(strings.TrimPrefix(f.Subject, "v"), "0.") {
					t.Errorf("breaking_notes %s on a release of a new major: it belongs to major_available", f.Subject)
				}
			}
			for _, tag := range majors {
				if quietMajors[name+" "+tag] {
					continue
				}
				if major := strings.SplitN(strings.TrimPrefix(tag, "v"), ".", 2)[0]; !announced[major] {
					t.Errorf("major %s: breaking markers in its notes not caught", tag)
				}
			}
			if name == "auth0__node-auth0.md" {
				// Deployed inside major 4, the minor v4.22.0 with a plain
				// ⚠️ BREAKING CHANGES line is a breaking_notes finding.
				g4 := providertest.NewGitHub(repo)
				defer g4.Close()
				p4 := newPoller(t, g4, github.Config{Repo: repo, Deployed: "4.0.0"})
				p4.poll()
				base := p4.last
				g4.SetReleases(rels...)
				p4.poll()
				caught := false
				for _, f := range judge(github.Rules(github.RuleOptions{}), base, p4.last, nil, nil) {
					if f.Rule == github.RuleBreakingNotes && f.Subject == "v4.22.0" {
						caught = true
					}
				}
				if !caught {
					t.Error("node-auth0 v4.22.0 (a minor with a plain ⚠️ BREAKING CHANGES line) not caught")
				}
			}
			t.Logf("%d releases, %d majors, %d announcing breaking changes", len(rels), len(majors), len(announced))
		})
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func less(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func mapKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// reStableTag reads a stable release tag on its own, apart from the code
// under test: "v12.0.0", "8.10.0".
var reStableTag = regexp.MustCompile(`^v?(\d+)\.(\d+)\.(\d+)$`)

// TestLabelledMajors serves every labelled changelog as GitHub releases to
// an app deployed below all of them: every major is one finding, titled
// with its newest release. Real breaking minors inside a newer major are
// listed with it (auth0-PHP 8.10.0 raises the PHP minimum, supabase-js
// 2.79.0 requires Node.js 20).
func TestLabelledMajors(t *testing.T) {
	listed, labelled := 0, 0
	for _, c := range github.LabelledChangelogs(t) {
		t.Run(c.File, func(t *testing.T) {
			newest := map[string][3]int{}
			for _, r := range c.Releases {
				m := reStableTag.FindStringSubmatch(r.Tag)
				if m == nil || atoi(m[1]) == 0 {
					continue
				}
				v := [3]int{atoi(m[1]), atoi(m[2]), atoi(m[3])}
				if cur, ok := newest[m[1]]; !ok || less(cur, v) {
					newest[m[1]] = v
				}
			}
			g := providertest.NewGitHub(c.Repo)
			defer g.Close()
			pl := newPoller(t, g, github.Config{Repo: c.Repo, Deployed: "0.0.1"})
			pl.poll()
			old := pl.last
			g.SetReleases(c.Releases...)
			pl.poll()
			got := map[string]string{}
			for _, f := range judge(github.Rules(github.RuleOptions{}), old, pl.last, nil, nil) {
				if f.Rule != github.RuleMajorAvailable {
					continue
				}
				got[f.Subject] = f.Title
				// How many releases labelled breaking by hand the finding
				// names.
				for tag, ls := range c.Labels {
					m := reStableTag.FindStringSubmatch(tag)
					if m == nil || m[1] != f.Subject || !slices.Contains(ls, "breaking") {
						continue
					}
					labelled++
					if strings.Contains(f.Detail, " "+tag+",") || strings.Contains(f.Detail, " "+tag+".") {
						listed++
					}
				}
			}
			if len(got) != len(newest) {
				t.Errorf("major_available for majors %v, want %d majors", mapKeys(got), len(newest))
			}
			for k, v := range newest {
				if want := fmt.Sprintf("%d.%d.%d: major release above deployed 0.0.1", v[0], v[1], v[2]); !strings.Contains(got[k], want) {
					t.Errorf("major %s: title %q, want it to name %s", k, got[k], want)
				}
			}
		})
	}
	t.Logf("releases labelled breaking inside a new major: %d, listed in its finding: %d", labelled, listed)

	// Deployed just below a real breaking minor's major: it is listed.
	for _, tc := range []struct{ file, deployed, major, minor string }{
		{"auth0__auth0-PHP.md", "7.9.0", "8", "8.10.0"},
		{"supabase__supabase-js.md", "1.35.0", "2", "2.79.0"},
	} {
		var c github.LabelledChangelog
		for _, x := range github.LabelledChangelogs(t) {
			if x.File == tc.file {
				c = x
			}
		}
		g := providertest.NewGitHub(c.Repo)
		defer g.Close()
		pl := newPoller(t, g, github.Config{Repo: c.Repo, Deployed: tc.deployed})
		pl.poll()
		old := pl.last
		g.SetReleases(c.Releases...)
		pl.poll()
		f := find(t, judge(github.Rules(github.RuleOptions{}), old, pl.last, nil, nil), github.RuleMajorAvailable, tc.major)
		if !strings.Contains(f.Detail, tc.minor) || !strings.Contains(f.Excerpt, tc.minor+":") {
			t.Errorf("%s: major %s finding does not list the breaking minor %s:\n%s\n%s", tc.file, tc.major, tc.minor, f.Detail, f.Excerpt)
		}
	}
}
