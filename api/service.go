// Package api is driftwatch's console: the questions `check`, `findings`,
// `ack`, `silence`, `history`, `diff` and `show` ask, answered either from
// the local store (Local) or by a daemon over HTTP (Client), so the CLI
// prints the same output, with the same exit codes, either way. Server
// serves a Local under /api/v1/ on the daemon's listener.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/watcher"
)

// Service is the console. Errors are *Error where the caller can act on
// them (not found, invalid request); anything else is internal.
type Service interface {
	// Check is the pre-deploy verdict.
	Check(ctx context.Context, q CheckQuery) (*CheckResult, error)
	// Findings lists findings, newest first.
	Findings(ctx context.Context, q FindingQuery) ([]Finding, error)
	// Finding returns one finding by ID or fingerprint.
	Finding(ctx context.Context, ref string) (*Finding, error)
	// Explain returns one finding with everything about it and its
	// history.
	Explain(ctx context.Context, ref string) (*Explanation, error)
	// Sources lists every configured or stored source with its status.
	Sources(ctx context.Context) ([]SourceStatus, error)
	// History lists a source's snapshots, newest first.
	History(ctx context.Context, source string) (*History, error)
	// Diff compares two snapshots of a source (0: the defaults, the last
	// two).
	Diff(ctx context.Context, source string, from, to int64) (*Diff, error)
	// Snapshot returns one stored document (id 0: the newest).
	Snapshot(ctx context.Context, source string, id int64) (*Snapshot, error)
	// Ack acknowledges findings, all or nothing.
	Ack(ctx context.Context, r AckRequest) ([]Finding, error)
	// Silences lists silences in force (all: expired ones too).
	Silences(ctx context.Context, all bool) ([]Silence, error)
	// AddSilence creates a silence.
	AddSilence(ctx context.Context, r SilenceRequest) (*Silence, error)
	// ExpireSilence ends a silence now.
	ExpireSilence(ctx context.Context, id int64) (*Silence, error)
}

// Code classifies an error for exit codes and HTTP statuses.
type Code string

// The error codes.
const (
	NotFound     Code = "not_found"    // exit 1, HTTP 404
	Invalid      Code = "invalid"      // exit 2, HTTP 400
	Unauthorized Code = "unauthorized" // exit 2, HTTP 401
	Forbidden    Code = "forbidden"    // exit 2, HTTP 403: a read token asked to write
	Internal     Code = "internal"     // exit 2, HTTP 500
	Unavailable  Code = "unavailable"  // exit 2: no answer from the server
)

// Error is an error the console's user can act on; its message is one
// line, the same from a local store and from a server.
type Error struct {
	Code Code   `json:"code"`
	Msg  string `json:"error"`
}

// Error is the message in the CLI's words: the parameters the API's
// message names in backquotes (`max_age`) read as the flags that set them
// (--max-age). Over HTTP the message keeps the parameters' names.
func (e *Error) Error() string { return flagWording(e.Msg) }

// params are the query parameters and body fields an API error may name,
// each set by the CLI flag of the same name.
var params = regexp.MustCompile("`(state|fail_on|max_age|severity|for|until|source|rule|path|comment)`")

func flagWording(msg string) string {
	return params.ReplaceAllStringFunc(msg, func(m string) string {
		return "--" + strings.ReplaceAll(strings.Trim(m, "`"), "_", "-")
	})
}

func errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err: its *Error's, NotFound for
// watcher.ErrNotFound, else Internal.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if errors.Is(err, watcher.ErrNotFound) {
		return NotFound
	}
	return Internal
}

// maxAgeText is the staleness bound as given, else formatted.
func (q CheckQuery) maxAgeText() string {
	if q.MaxAgeText != "" {
		return q.MaxAgeText
	}
	return FormatDuration(q.MaxAge)
}

// CheckQuery is `check`'s question.
type CheckQuery struct {
	FailOn watcher.Severity
	MaxAge time.Duration
	// MaxAgeText is MaxAge as the user wrote it (1d, 36h), echoed as is.
	MaxAgeText string
	Sources    []string
	// Deployed maps package names to the versions a lockfile pins
	// (`check --lockfile`): releases sources of those packages are judged
	// at them instead of the configured version.
	Deployed map[string]string
}

// CheckResult is the verdict, printed by `check --format json` and served
// by GET /api/v1/check.
type CheckResult struct {
	Status string `json:"status"`
	FailOn string `json:"fail_on"`
	// Findings fail the check; Silenced would, but a silence mutes them.
	Findings []Finding     `json:"findings"`
	Silenced []Finding     `json:"silenced"`
	Stale    []StaleSource `json:"stale"`
	// Sources is how many sources were checked.
	Sources int `json:"sources"`
	// MaxAge is the staleness bound, "" when none.
	MaxAge string `json:"max_age,omitempty"`
	// Deployed lists the versions judged instead of the configured ones.
	Deployed []DeployedVersion `json:"deployed,omitempty"`
}

// StaleSource is a source not fetched successfully within --max-age.
type StaleSource struct {
	Source      string  `json:"source"`
	LastSuccess *string `json:"last_success"`
}

// FindingQuery selects findings.
type FindingQuery struct {
	// State is open, acked, resolved or all ("" is open).
	State    string
	Sources  []string
	Severity watcher.Severity // the lowest shown; 0 for every one
}

// Finding is a finding as the console shows it: the stored finding with
// its fingerprint, its ack record and the silence that mutes it.
type Finding struct {
	watcher.Finding
	Fingerprint string
	Ack         *Ack
	Silence     *Silence
	// raw is the finding as a server sent it, printed back unchanged.
	raw json.RawMessage
}

// Ack is who acknowledged a finding, when, and until when.
type Ack struct {
	Author    string  `json:"author"`
	Note      string  `json:"note"`
	CreatedAt string  `json:"created_at"`
	ExpiresAt *string `json:"expires_at"`
	// Expired is set when an ack with an expiry ran out.
	Expired bool `json:"expired"`
}

// Silence mutes findings matching source, rule and path globs until
// ends_at.
type Silence struct {
	ID        int64  `json:"id"`
	Source    string `json:"source,omitempty"`
	Rule      string `json:"rule,omitempty"`
	Path      string `json:"path,omitempty"`
	Comment   string `json:"comment"`
	Author    string `json:"author"`
	CreatedAt string `json:"created_at"`
	EndsAt    string `json:"ends_at"`
	Active    bool   `json:"active"`
}

// SilenceRequest creates a silence: at least one matcher, and For or
// Until.
type SilenceRequest struct {
	Source  string `json:"source,omitempty"`
	Rule    string `json:"rule,omitempty"`
	Path    string `json:"path,omitempty"`
	For     string `json:"for,omitempty"`
	Until   string `json:"until,omitempty"`
	Comment string `json:"comment"`
	Author  string `json:"author,omitempty"`
}

// AckRequest acknowledges findings by ID or fingerprint; For, when set,
// makes the ack expire.
type AckRequest struct {
	IDs    []string `json:"ids"`
	Note   string   `json:"note,omitempty"`
	For    string   `json:"for,omitempty"`
	Author string   `json:"author,omitempty"`
}

// SourceStatus is what is known of a source's fetches.
type SourceStatus struct {
	Name                string  `json:"name"`
	Type                string  `json:"type"`
	Configured          bool    `json:"configured"`
	LastAttempt         *string `json:"last_attempt"`
	LastSuccess         *string `json:"last_success"`
	LastError           string  `json:"last_error,omitempty"`
	ConsecutiveFailures int     `json:"consecutive_failures"`
	FailingSince        *string `json:"failing_since"`
	OpenFindings        int     `json:"open_findings"`
}

// History is a source's stored snapshots, newest first.
type History struct {
	Source    string         `json:"source"`
	Snapshots []SnapshotInfo `json:"snapshots"`
}

// SnapshotInfo describes one stored snapshot.
type SnapshotInfo struct {
	ID        int64  `json:"id"`
	FetchedAt string `json:"fetched_at"`
	Hash      string `json:"hash"`
	Changes   int    `json:"changes"`
}

// Diff is the changes between two snapshots of a source.
type Diff struct {
	Source  string        `json:"source"`
	From    int64         `json:"from"`
	To      int64         `json:"to"`
	Changes []diff.Change `json:"changes"`
	// FromAt and ToAt are the snapshots' fetch times (for the text form).
	FromAt string `json:"from_fetched_at"`
	ToAt   string `json:"to_fetched_at"`
}

// Snapshot is one stored document.
type Snapshot struct {
	Source    string
	ID        int64
	FetchedAt time.Time
	Body      json.RawMessage
}
