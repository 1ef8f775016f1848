package watcher

import (
	"strings"
	"time"
)

// Attribution says who made the change a finding reports, as the
// upstream's audit log records it.
type Attribution struct {
	// By is the person ("alice@acme.com") or the API client
	// ("terraform-prod") that made the change.
	By string
	// Via is how: "Dashboard", "Management API" (a person's token), or
	// "Management API client" (By is then the client's name).
	Via string
	At  time.Time
	// LogID is the audit log event's id.
	LogID string
}

// Text is the attribution as a sentence for notices and detail:
// "Changed by alice@acme.com in the Dashboard at 2026-12-03 10:42 UTC
// (log 900…)".
func (a *Attribution) Text() string {
	if a == nil {
		return ""
	}
	s := "Changed by " + a.By
	switch {
	case a.Via == "Dashboard":
		s += " in the Dashboard"
	case strings.HasSuffix(a.Via, " client"):
		s = "Changed by the " + a.Via + " '" + a.By + "'"
	case a.Via != "" && a.Via != a.By:
		s += " via the " + a.Via
	}
	if !a.At.IsZero() {
		s += " at " + a.At.UTC().Format("2006-01-02 15:04 UTC")
	}
	if a.LogID != "" {
		s += " (log " + a.LogID + ")"
	}
	return s + "."
}

// MemoJudgeKey is the FetchState.Memo key a provider sets when something
// its rules read besides the document changed (new audit log events): the
// engine then judges an unchanged document again.
const MemoJudgeKey = "judge_key"

// changedField is one attribution field for JSON, nil when there is no
// attribution or the field is empty.
func changedField(a *Attribution, get func(*Attribution) string) *string {
	if a == nil {
		return nil
	}
	return nonEmpty(get(a))
}
