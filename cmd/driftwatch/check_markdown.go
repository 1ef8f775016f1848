package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/driftwatch/driftwatch/api"
)

// writeCheckMarkdown prints the verdict as GitHub-flavoured Markdown, for a
// job summary ($GITHUB_STEP_SUMMARY) or a pull-request comment. Titles come
// from upstreams, so every cell is escaped: no HTML, links, mentions or
// table breaks survive.
func writeCheckMarkdown(w io.Writer, r *api.CheckResult) {
	if r.Status == "pass" {
		fmt.Fprintf(w, "### driftwatch check: passed\n\nNo open findings at or above **%s**", r.FailOn)
		if r.MaxAge != "" {
			fmt.Fprintf(w, ", every source fetched within %s", r.MaxAge)
		}
		fmt.Fprintf(w, " (%d sources).\n", r.Sources)
	} else {
		fmt.Fprintf(w, "### driftwatch check: failed\n\n%d open finding(s) at or above **%s**", len(r.Findings), r.FailOn)
		if len(r.Stale) > 0 {
			fmt.Fprintf(w, ", %d stale source(s)", len(r.Stale))
		}
		fmt.Fprint(w, ".\n")
	}
	writeMarkdownFindings(w, "", r.Findings)
	if len(r.Stale) > 0 {
		fmt.Fprintf(w, "\n| stale source | last successful fetch | max age |\n|---|---|---|\n")
		for _, s := range r.Stale {
			last := "never"
			if s.LastSuccess != nil {
				last = *s.LastSuccess
			}
			fmt.Fprintf(w, "| %s | %s | %s |\n", mdCell(s.Source), last, r.MaxAge)
		}
	}
	if len(r.Silenced) > 0 {
		fmt.Fprintf(w, "\n%d finding(s) silenced:\n", len(r.Silenced))
		writeMarkdownFindings(w, "silenced until", r.Silenced)
	}
	if len(r.Findings) > 0 && r.Findings[0].ID != 0 {
		fmt.Fprintf(w, "\nHandled or accepted? Acknowledge it: `driftwatch ack %d --note \"why\"`\n", r.Findings[0].ID)
	}
}

// writeMarkdownFindings prints a table of findings; with until, a column
// says when each one's silence ends.
func writeMarkdownFindings(w io.Writer, until string, fs []api.Finding) {
	if len(fs) == 0 {
		return
	}
	head, rule := "| severity | source | finding | title | category | rule |", "|---|---|---|---|---|---|"
	if until != "" {
		head, rule = head+" "+until+" |", rule+"---|"
	}
	fmt.Fprintf(w, "\n%s\n%s\n", head, rule)
	for _, f := range fs {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | `%s` |", f.Severity, mdCell(f.Source), findingRef(f.ID), mdCell(f.Title), f.Category, mdCode(f.Rule))
		if until != "" && f.Silence != nil {
			fmt.Fprintf(w, " %s |", mdCell(f.Silence.EndsAt))
		}
		fmt.Fprintln(w)
	}
}

// mdCell escapes text for one Markdown table cell: HTML entities for the
// characters that open tags and entities, backslashes for Markdown's
// punctuation, one line.
func mdCell(s string) string {
	s = oneLine(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '[', ']', '(', ')', '#', '|', '!', '~', '@', ':':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode keeps a rule name inside its code span.
func mdCode(s string) string { return strings.ReplaceAll(oneLine(s), "`", "'") }
