package watcher

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/driftwatch/driftwatch/diff"
)

// State is where a finding stands.
type State string

// The finding states: open findings fail `check`; acknowledged ones stay on
// record without failing it; resolved ones no longer hold.
const (
	Open     State = "open"
	Acked    State = "acked"
	Resolved State = "resolved"
)

// Finding is a judged change: one thing that may break the app or needs a
// person.
type Finding struct {
	ID       int64
	Source   string
	Rule     string
	Severity Severity
	Category Category
	// Path is the JSON Pointer of the change in the snapshot.
	Path string
	// Subject tells apart findings of one rule at one path (the URL that was
	// removed, the release tag); it is part of the identity, not shown.
	Subject string
	Title   string
	Detail  string
	State   State

	DetectedAt time.Time
	ResolvedAt *time.Time
	AckedAt    *time.Time
	AckNote    string
	SnapshotID int64

	// Old and New are the values before and after, as short text.
	Old, New string
	// Excerpt is upstream text (release notes, a feed entry); untrusted.
	Excerpt string
	// Note is the expectation's note: why the app relies on this.
	Note string

	// URL is the page a person opens first: the release page, the feed
	// entry, the public docs page of a deprecation, the dashboard page of
	// the client or setting.
	URL string
	// Links are further pages (a compare view, the dashboard page beside a
	// docs page); URL is not repeated among them.
	Links []Link
	// Also names the other rules whose findings of the same cause were
	// folded into this one (an expectation and a built-in rule on the same
	// path): one cause, one finding.
	Also []string
	// Folded are the findings folded into this one, kept so that the rules
	// that raised them carry them forward like their own.
	Folded []Finding
	// ResolvedReason says why a finding resolved when no snapshot did it,
	// such as its source leaving the configuration.
	ResolvedReason string
	// Changed says who made the change, when the upstream's audit log
	// records it; nil otherwise.
	Changed *Attribution
}

// Link is one page about a finding.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Rules names every rule that judged the finding: its own first, then
// those folded into it.
func (f *Finding) Rules() []string {
	return append([]string{f.Rule}, f.Also...)
}

// AddLink adds a page unless it is already the URL or among the links;
// the first page added becomes the URL.
func (f *Finding) AddLink(title, url string) {
	if url == "" || url == f.URL {
		return
	}
	if f.URL == "" {
		f.URL = url
		return
	}
	for _, l := range f.Links {
		if l.URL == url {
			return
		}
	}
	f.Links = append(f.Links, Link{Title: title, URL: url})
}

// Fingerprint is the finding's identity: the same condition seen in later
// polls has the same fingerprint, so it is the same finding.
func (f *Finding) Fingerprint() string {
	h := sha256.New()
	for _, s := range []string{f.Source, f.Rule, f.Path, f.Subject} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// MarshalJSON writes the contract's finding object: integer IDs (null for
// a finding not stored, such as one `check --lockfile` judged), RFC 3339
// UTC times; every field is always present, null when unknown (times not
// set, no ack note, no resolution reason, no attribution); the
// fingerprint, which names the finding across stores; and the url,
// further links and every rule that judged it.
func (f Finding) MarshalJSON() ([]byte, error) {
	links := f.Links
	if links == nil {
		links = []Link{}
	}
	return json.Marshal(struct {
		ID          *int64   `json:"id"`
		Fingerprint string   `json:"fingerprint"`
		Source      string   `json:"source"`
		Rule        string   `json:"rule"`
		Severity    Severity `json:"severity"`
		Category    Category `json:"category"`
		Path        string   `json:"path"`
		Title       string   `json:"title"`
		Detail      string   `json:"detail"`
		State       State    `json:"state"`
		DetectedAt  *string  `json:"detected_at"`
		ResolvedAt  *string  `json:"resolved_at"`
		AckedAt     *string  `json:"acked_at"`
		AckNote     *string  `json:"ack_note"`
		SnapshotID  *int64   `json:"snapshot_id"`
		URL         string   `json:"url"`
		Links       []Link   `json:"links"`
		Rules       []string `json:"rules"`
		Reason      *string  `json:"resolved_reason"`
		ChangedBy   *string  `json:"changed_by"`
		ChangedVia  *string  `json:"changed_via"`
		ChangedAt   *string  `json:"changed_at"`
		LogID       *string  `json:"log_id"`
	}{
		nonZero(f.ID), f.Fingerprint(), f.Source, f.Rule, f.Severity, f.Category, f.Path, f.Title, f.Detail, f.State,
		timeString(&f.DetectedAt), timeString(f.ResolvedAt), timeString(f.AckedAt),
		nonEmpty(f.AckNote), nonZero(f.SnapshotID), f.URL, links, f.Rules(), nonEmpty(f.ResolvedReason),
		changedField(f.Changed, func(a *Attribution) string { return a.By }),
		changedField(f.Changed, func(a *Attribution) string { return a.Via }),
		changedField(f.Changed, func(a *Attribution) string { return FormatTime(a.At) }),
		changedField(f.Changed, func(a *Attribution) string { return a.LogID }),
	})
}

// FormatTime is the contract's time format: RFC 3339 in UTC.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func timeString(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := FormatTime(*t)
	return &s
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nonZero(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}

// FindingFilter selects findings for listings and `check`.
type FindingFilter struct {
	States      []State  // empty means every state
	Sources     []string // empty means every source
	MinSeverity Severity // zero means every severity
	ID          []int64
}

// Rule judges one source's documents into findings. A rule is a pure
// function of the judgement.
//
// A rule returns every condition that holds now, including those it found
// before: an open finding of the source that no rule returns again is
// resolved. Rules about a change carry their earlier findings forward from
// Judgement.Open until the change is undone.
type Rule interface {
	Judge(j *Judgement) []Finding
}

// Folder is a Rule whose findings stand for other rules' findings of the
// same cause: an expectation on a callback and the built-in rule that saw
// the callback removed are one problem, so they make one finding.
type Folder interface {
	Rule
	// Fold merges other, a finding of another rule, into f, one of this
	// rule's findings, when both have the same cause; it reports whether
	// it did.
	Fold(f *Finding, other Finding) bool
}

// RuleFunc adapts a function to Rule.
type RuleFunc func(j *Judgement) []Finding

// Judge calls f.
func (f RuleFunc) Judge(j *Judgement) []Finding { return f(j) }

// Judgement is everything a rule may look at.
type Judgement struct {
	// Memo holds the provider's notes kept with the fetch judged (audit
	// log events it read, for attribution); nil when none.
	Memo map[string]string
	// OldAt is when Old was fetched (zero on the baseline): changes since
	// happened between OldAt and Now.
	OldAt  time.Time
	Source Source
	// Old is the previous document (nil on the baseline); New the current.
	Old, New any
	// Changes are the changes from Old to New (empty when nothing moved).
	Changes []diff.Change
	// Baseline is set on a source's first snapshot: rules about a change
	// stay silent on it.
	Baseline bool
	// Open holds the source's findings that are open or acknowledged.
	Open []Finding
	Now  time.Time
	// Peers is never nil.
	Peers Peers
}

// OpenOf returns the source's open or acknowledged findings of one rule.
func (j *Judgement) OpenOf(rule string) []Finding {
	var out []Finding
	for _, f := range j.Open {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}
