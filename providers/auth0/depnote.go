package auth0

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// RuleDeprecationInUse reports a deprecated feature the tenant still
// uses, as Auth0's deprecation notices (depnote log events) record it.
const RuleDeprecationInUse = "auth0.deprecation_in_use"

// depnoteQuiet is how long without a new notice before a use counts as
// over and its finding resolves.
const depnoteQuiet = 14 * 24 * time.Hour

// depnoteSoon is how close an end of life makes a use breaking.
const depnoteSoon = 30 * 24 * time.Hour

// deprecationInUse is a state rule over the deprecation notices kept from
// the tenant logs: one finding per feature and client, naming the client,
// how often and when it was seen, and the matching entry of
// deprecations.json with its dates; breaking when that entry's end of life
// is within 30 days or past.
func deprecationInUse(j *watcher.Judgement) []watcher.Finding {
	if j.Memo[memoLogs] != "ok" {
		return nil
	}
	uses := loadLogState(j.Memo).uses
	keys := make([]string, 0, len(uses))
	for k := range uses {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []watcher.Finding
	for _, k := range keys {
		u := uses[k]
		if j.Now.Sub(u.Last) > depnoteQuiet {
			continue
		}
		client := firstOf(u.ClientName, clientName(j.New, u.ClientID), u.ClientID, "an unknown client")
		f := watcher.Finding{
			Rule: RuleDeprecationInUse, Severity: watcher.Warning, Category: watcher.ThirdParty,
			Path: diff.Pointer([]string{"clients", firstOf(clientKey(j.New, u.ClientID), client)}), Subject: u.Feature + " " + u.ClientID,
			Title: fmt.Sprintf("Deprecated %s still in use by client %q", u.Feature, client),
			New:   u.Feature,
		}
		lines := []string{fmt.Sprintf("Auth0 logged %d deprecation notice(s) for %s from client %q (%s), first %s, last %s (log %s).",
			u.Count, u.Feature, client, firstOf(u.ClientID, "no client id"),
			u.First.UTC().Format("2006-01-02 15:04 UTC"), u.Last.UTC().Format("2006-01-02 15:04 UTC"), u.LogID)}
		if u.Description != "" {
			lines = append(lines, "Notice: "+u.Description)
		}
		if d := matchDeprecation(u); d != nil {
			dates := "deprecated " + firstOf(d.Deprecated, "(date unknown)") + ", end of life " + firstOf(d.EndOfLife, "not announced")
			lines = append(lines, fmt.Sprintf("Matches the known deprecation %q (%s): %s", d.ID, dates, d.Fact))
			if !d.eol.IsZero() {
				f.Title += ", end of life " + d.EndOfLife
				if d.eol.Sub(j.Now) <= depnoteSoon {
					f.Severity = watcher.Breaking
				}
			}
		}
		lines = append(lines, "The finding resolves after 14 days without a new notice.")
		f.Detail = strings.Join(lines, "\n")
		out = append(out, f)
	}
	return out
}

// matchDeprecation finds the deprecations.json entry a notice's feature
// names: every significant word of the feature appears in the entry's id,
// else in its label, else in its fact; the first entry found at the
// closest level wins.
func matchDeprecation(u *depUse) *deprecation {
	words := significant(u.Feature)
	if len(words) == 0 {
		return nil
	}
	levels := []func(d *deprecation) string{
		func(d *deprecation) string { return d.ID },
		func(d *deprecation) string { return d.Label },
		func(d *deprecation) string { return d.Fact },
	}
	for _, text := range levels {
		for _, d := range deprecations {
			t := strings.ToLower(text(d))
			all := true
			for _, w := range words {
				all = all && strings.Contains(t, w)
			}
			if all {
				return d
			}
		}
	}
	return nil
}

// significant lowercases a feature name's words of four letters or more.
func significant(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		if len(w) >= 4 && w != "feature" && w != "this" && w != "being" {
			out = append(out, w)
		}
	}
	return out
}

// clientKey and clientName find a client of the document by its id.
func clientKey(doc any, id string) string {
	for k, v := range object(doc, "clients") {
		if m, ok := v.(map[string]any); ok && id != "" && m["client_id"] == id {
			return k
		}
	}
	return ""
}

func clientName(doc any, id string) string {
	if k := clientKey(doc, id); k != "" {
		name, _ := object(doc, "clients", k)["name"].(string)
		return firstOf(name, k)
	}
	return ""
}
