package api

import (
	"context"
	"sort"
	"time"

	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// Explanation is everything about one finding, as `explain --format json`
// prints it and GET /api/v1/findings/{ref}/explain serves it: the finding
// (with its ack and silence), the parts the finding object leaves out, and
// its history. Fields are in the order of their JSON keys.
type Explanation struct {
	Excerpt string  `json:"excerpt"`
	Finding Finding `json:"finding"`
	History []Event `json:"history"`
	New     string  `json:"new"`
	Note    string  `json:"note"`
	Old     string  `json:"old"`
}

// Event is one step of a finding's history: detected, acknowledged (by
// whom, until when), ack expired, silenced, resolved, or a notice and
// what delivery did with it.
type Event struct {
	At          string             `json:"at"`
	Attempts    *int               `json:"attempts,omitempty"`
	Author      string             `json:"author,omitempty"`
	DeliveredAt *string            `json:"delivered_at,omitempty"`
	Delivery    string             `json:"delivery,omitempty"`
	Event       string             `json:"event"`
	Kind        watcher.NoticeKind `json:"kind,omitempty"`
	LastError   string             `json:"last_error,omitempty"`
	Note        string             `json:"note,omitempty"`
	NoticeID    int64              `json:"notice_id,omitempty"`
	Receiver    string             `json:"receiver,omitempty"`
	Severity    *watcher.Severity  `json:"severity,omitempty"`
	Until       *string            `json:"until,omitempty"`

	at time.Time
}

// Explain returns one finding, by ID or fingerprint, with its history.
func (l *Local) Explain(ctx context.Context, ref string) (*Explanation, error) {
	f, err := l.Finding(ctx, ref)
	if err != nil {
		return nil, err
	}
	notices, err := l.db.FindingNotices(ctx, f.ID)
	if err != nil {
		return nil, err
	}
	return &Explanation{Finding: *f, Old: f.Old, New: f.New, Excerpt: f.Excerpt, Note: f.Note, History: history(f, notices)}, nil
}

// history merges the finding's own times, its ack and silence, and the
// notices written for it, oldest first. A reopened finding's detected_at
// is its latest opening; earlier openings show through their notices.
func history(f *Finding, notices []store.NoticeRecord) []Event {
	ev := func(at time.Time, what string) Event { return Event{At: watcher.FormatTime(at), Event: what, at: at} }
	out := []Event{ev(f.DetectedAt, "detected")}
	// An expired ack left the finding (acked_at is cleared) but not its
	// history: the ack record keeps who, when, the note and the expiry.
	switch {
	case f.AckedAt != nil:
		e := ev(*f.AckedAt, "acknowledged")
		e.Note = f.AckNote
		if f.Ack != nil {
			e.Author, e.Until = f.Ack.Author, f.Ack.ExpiresAt
		}
		out = append(out, e)
	case f.Ack != nil:
		if at, err := time.Parse(time.RFC3339, f.Ack.CreatedAt); err == nil {
			e := ev(at, "acknowledged")
			e.Author, e.Note, e.Until = f.Ack.Author, f.Ack.Note, f.Ack.ExpiresAt
			out = append(out, e)
		}
	}
	// The expiry is the system's doing, not the acknowledger's: the event
	// names whose ack ran out and carries no author.
	if f.Ack != nil && f.Ack.Expired && f.Ack.ExpiresAt != nil {
		if at, err := time.Parse(time.RFC3339, *f.Ack.ExpiresAt); err == nil {
			out = append(out, ev(at, "acknowledgement by "+f.Ack.Author+" expired"))
		}
	}
	if s := f.Silence; s != nil {
		if at, err := time.Parse(time.RFC3339, s.CreatedAt); err == nil {
			e := ev(at, "silenced")
			e.Author, e.Note, e.Until = s.Author, s.Comment, &s.EndsAt
			out = append(out, e)
		}
	}
	if f.ResolvedAt != nil {
		out = append(out, ev(*f.ResolvedAt, "resolved"))
	}
	for _, n := range notices {
		e := ev(n.CreatedAt, "notice")
		attempts, sev := n.Attempts, n.Severity
		e.NoticeID, e.Kind, e.Severity, e.Attempts, e.LastError, e.Delivery = n.ID, n.Kind, &sev, &attempts, n.LastError, "pending"
		e.Receiver = n.Receiver
		switch {
		case n.SentAt != nil:
			e.Delivery, e.DeliveredAt = "sent", timePtr(n.SentAt)
		case n.GivenUpAt != nil:
			e.Delivery, e.DeliveredAt = "given up", timePtr(n.GivenUpAt)
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}
