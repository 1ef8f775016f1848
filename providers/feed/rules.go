package feed

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// RuleDeprecationNotice is the rule for announcements in a feed.
const RuleDeprecationNotice = "feed.deprecation_notice"

// RuleOptions tune the feed rules; there are none yet.
type RuleOptions struct{}

// Rules returns the rules that judge a feed document.
func Rules(opt RuleOptions) []watcher.Rule {
	return []watcher.Rule{watcher.RuleFunc(deprecationNotice)}
}

// rePolicy is the wording of announcements that may break a deployed app:
// deprecations, end of life, removals, things becoming required.
var (
	rePolicy = regexp.MustCompile(`(?i)\bdeprecat(?:e|es|ed|ing|ion|ions)\b|\bend[\s-]of[\s-](?:life|support)\b|\bbreaking\b|\bwill no longer\b|\bno longer (?:be )?supported\b|\brequired (?:by|from|starting|after|on)\b|\bwill be required\b|\bmigrat(?:e|es|ed|ing|ion)\b|\bsunset(?:s|ting)?\b|\bremoval\b|\bwill be removed\b|\bretir(?:e|es|ed|ing|ement)\b|\bdiscontinu(?:e|ed|es|ing)\b|\bshut(?:ting)? down\b|\bdecommission(?:ed|ing)?\b|\bwill be (?:disabled|blocked|rejected|enforced)\b`)
	reEOL    = regexp.MustCompile(`\bEOL\b`)
)

// policyWording returns the first policy wording in text, or "".
func policyWording(text string) string {
	if m := rePolicy.FindString(text); m != "" {
		return m
	}
	return reEOL.FindString(text)
}

// entry is one feed entry as the rule reads it.
type entry struct {
	key, title, link, published, summary string
}

func readEntries(doc any) map[string]entry {
	d, _ := doc.(map[string]any)
	es, _ := d["entries"].(map[string]any)
	out := make(map[string]entry, len(es))
	for k, x := range es {
		m, _ := x.(map[string]any)
		s := func(f string) string { v, _ := m[f].(string); return v }
		out[k] = entry{key: k, title: s("title"), link: s("link"), published: s("published"), summary: s("summary")}
	}
	return out
}

// hit is one concern an entry names.
type hit struct {
	words string
	c     *concern
}

// deprecationNotice is a change rule: an entry added since the old
// document whose wording announces a deprecation or policy change. It is
// info, or warning when the entry names something the deployed app uses.
// Findings are carried forward while the entry stays in the feed.
func deprecationNotice(j *watcher.Judgement) []watcher.Finding {
	if j.Baseline {
		return nil
	}
	old, cur := readEntries(j.Old), readEntries(j.New)
	open := map[string]bool{}
	for _, f := range j.OpenOf(RuleDeprecationNotice) {
		open[f.Subject] = true
	}
	keys := make([]string, 0, len(cur))
	for k := range cur {
		if _, had := old[k]; !had || open[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Strings(keys)
	cs := concerns(j)
	var out []watcher.Finding
	for _, k := range keys {
		e := cur[k]
		text := e.title + "\n" + e.summary
		wording := policyWording(text)
		if wording == "" {
			continue
		}
		var hits []hit
		for _, c := range cs {
			if w := c.match(text); w != "" {
				hits = append(hits, hit{w, c})
			}
		}
		out = append(out, finding(e, wording, hits))
	}
	return out
}

// finding writes up one announcement: what it says, and what of the app
// it names and where that is used.
func finding(e entry, wording string, hits []hit) watcher.Finding {
	name := e.title
	if name == "" {
		name = e.key
	}
	name = capRunes(name, 120)
	f := watcher.Finding{
		Rule: RuleDeprecationNotice, Severity: watcher.Info, Category: watcher.ThirdParty,
		Path: diff.Pointer([]string{"entries", e.key}), Subject: e.key,
		Title:   fmt.Sprintf("Changelog entry %q announces a change (%s)", name, strings.ToLower(wording)),
		New:     e.title,
		Excerpt: e.summary,
	}
	lines := []string{fmt.Sprintf("Policy wording: %q.", wording)}
	if len(hits) > 0 {
		f.Severity = watcher.Warning
		f.Title = fmt.Sprintf("Changelog entry %q (%s) concerns you: %s", name, strings.ToLower(wording), usedBy(hits[0]))
		for _, h := range hits {
			lines = append(lines, fmt.Sprintf("It names %q: %s.", h.words, listed(h.c.where)))
		}
	} else {
		lines = append(lines, "It names nothing the other sources show the app using.")
	}
	where := "Entry"
	if e.published != "" {
		where += " published " + e.published
	}
	if e.link != "" {
		where += ": " + e.link
	}
	lines = append(lines, where+".")
	f.Detail = strings.Join(lines, "\n")
	return f
}

// usedBy says in a title what an entry names and how much of the app uses
// it: the one place in full, or "it names "node18", used by 11 actions:
// "a", "b", "c" and 8 more" — never one of many as if it were all.
func usedBy(h hit) string {
	us := h.c.users
	if len(us) == 1 {
		return us[0].where
	}
	counts := map[string]int{}
	var kinds []string
	var names []string
	seen := map[string]bool{}
	for _, u := range us {
		if counts[u.kind] == 0 {
			kinds = append(kinds, u.kind)
		}
		counts[u.kind]++
		if !seen[u.kind+"\x00"+u.name] {
			seen[u.kind+"\x00"+u.name] = true
			names = append(names, strconv.Quote(u.name))
		}
	}
	var parts []string
	for _, k := range kinds {
		parts = append(parts, plural(counts[k], k))
	}
	const shown = 3
	list := strings.Join(names, ", ")
	if len(names) > shown {
		list = strings.Join(names[:shown], ", ") + fmt.Sprintf(" and %d more", len(names)-shown)
	} else if len(names) > 1 {
		list = strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
	return fmt.Sprintf("it names %q, used by %s: %s", h.words, andList(parts), list)
}

// plural counts things of a kind: "1 action", "11 actions", "2 SDKs".
func plural(n int, kind string) string {
	if n == 1 {
		return "1 " + kind
	}
	return fmt.Sprintf("%d %ss", n, kind)
}

// andList joins "a", "a and b", "a, b and c".
func andList(xs []string) string {
	if len(xs) <= 1 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// listed joins at most five places, then counts the rest.
func listed(where []string) string {
	if len(where) <= 5 {
		return strings.Join(where, "; ")
	}
	return strings.Join(where[:5], "; ") + fmt.Sprintf("; and %d more", len(where)-5)
}
