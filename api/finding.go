package api

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

// MarshalJSON writes the contract's finding object with the console's
// fields after it: "ack" and "silence" (null when none). A finding read
// from a server is written back as the server sent it.
func (f Finding) MarshalJSON() ([]byte, error) {
	if f.raw != nil {
		return f.raw, nil
	}
	base, err := json.Marshal(f.Finding)
	if err != nil {
		return nil, err
	}
	extra, err := json.Marshal(struct {
		Ack     *Ack     `json:"ack"`
		Silence *Silence `json:"silence"`
	}{f.Ack, f.Silence})
	if err != nil {
		return nil, err
	}
	// Splice {"ack":...,"silence":...} into the base object.
	base = bytes.TrimSuffix(bytes.TrimSpace(base), []byte("}"))
	return append(append(base, ','), extra[1:]...), nil
}

// UnmarshalJSON reads a finding a server sent, keeping its text to print
// it back unchanged.
func (f *Finding) UnmarshalJSON(b []byte) error {
	var m struct {
		ID          int64            `json:"id"`
		Fingerprint string           `json:"fingerprint"`
		Source      string           `json:"source"`
		Rule        string           `json:"rule"`
		Severity    watcher.Severity `json:"severity"`
		Category    watcher.Category `json:"category"`
		Path        string           `json:"path"`
		Title       string           `json:"title"`
		Detail      string           `json:"detail"`
		State       watcher.State    `json:"state"`
		DetectedAt  *string          `json:"detected_at"`
		ResolvedAt  *string          `json:"resolved_at"`
		AckedAt     *string          `json:"acked_at"`
		AckNote     *string          `json:"ack_note"`
		SnapshotID  *int64           `json:"snapshot_id"`
		URL         string           `json:"url"`
		Links       []watcher.Link   `json:"links"`
		Rules       []string         `json:"rules"`
		Ack         *Ack             `json:"ack"`
		Silence     *Silence         `json:"silence"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*f = Finding{
		Finding: watcher.Finding{ID: m.ID, Source: m.Source, Rule: m.Rule, Severity: m.Severity, Category: m.Category,
			Path: m.Path, Title: m.Title, Detail: m.Detail, State: m.State,
			ResolvedAt: parseTimePtr(m.ResolvedAt), AckedAt: parseTimePtr(m.AckedAt), URL: m.URL, Links: m.Links},
		Fingerprint: m.Fingerprint, Ack: m.Ack, Silence: m.Silence,
		raw: append(json.RawMessage(nil), b...),
	}
	if t := parseTimePtr(m.DetectedAt); t != nil {
		f.DetectedAt = *t
	}
	if len(m.Rules) > 1 {
		f.Also = m.Rules[1:]
	}
	if m.AckNote != nil {
		f.AckNote = *m.AckNote
	}
	if m.SnapshotID != nil {
		f.SnapshotID = *m.SnapshotID
	}
	return nil
}

func parseTimePtr(s *string) *time.Time {
	if s == nil {
		return nil
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		return nil
	}
	return &t
}

func timePtr(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := watcher.FormatTime(*t)
	return &s
}
