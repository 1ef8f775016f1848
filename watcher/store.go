package watcher

import (
	"context"
	"time"
)

// Store keeps snapshots, fetch status, findings and the notice outbox.
// Every method that writes does so in one transaction: a poll's snapshot,
// its findings and their notices land together or not at all.
type Store interface {
	// SourceState returns what is known of a source's fetches; a source
	// never fetched has a zero state with only Name set.
	SourceState(ctx context.Context, source string) (SourceState, error)
	// SourceStates returns every source the store has seen.
	SourceStates(ctx context.Context) ([]SourceState, error)

	// LatestSnapshot returns a source's newest snapshot, or ErrNotFound.
	LatestSnapshot(ctx context.Context, source string) (*Snapshot, error)
	// Snapshot returns one snapshot of a source, or ErrNotFound.
	Snapshot(ctx context.Context, source string, id int64) (*Snapshot, error)
	// PreviousSnapshot returns the snapshot of the source stored just
	// before id, or ErrNotFound.
	PreviousSnapshot(ctx context.Context, source string, id int64) (*Snapshot, error)
	// Snapshots lists a source's snapshots, newest first.
	Snapshots(ctx context.Context, source string) ([]SnapshotInfo, error)
	// SnapshotsBetween lists the snapshots of every source fetched in
	// [since, until), oldest first.
	SnapshotsBetween(ctx context.Context, since, until time.Time) ([]SnapshotInfo, error)

	// Commit records a successful fetch: fetch state, the new snapshot if
	// any, and (when judged) the reconciled findings and their notices.
	Commit(ctx context.Context, c *Commit) (*CommitResult, error)
	// RecordFailure records a failed fetch; it stores no snapshot and
	// judges nothing, but may raise the source's failing finding.
	RecordFailure(ctx context.Context, f *Failure) (SourceState, error)

	// Findings lists findings by filter, newest first.
	Findings(ctx context.Context, f FindingFilter) ([]Finding, error)
	// FindingsChangedBetween lists findings detected or resolved in
	// [since, until).
	FindingsChangedBetween(ctx context.Context, since, until time.Time) ([]Finding, error)
	// Ack acknowledges findings, all or none: an unknown ID returns
	// ErrNotFound (wrapped, naming it) and changes nothing.
	Ack(ctx context.Context, ids []int64, note string, at time.Time) error

	// Enqueue adds notices to the outbox (digests).
	Enqueue(ctx context.Context, ns []Notice) error
	// ClaimNotices leases up to about limit of receiver's due notices to
	// owner until
	// now+lease, so two processes never deliver the same notice, oldest
	// first. With a due notice it claims every pending notice of the same
	// finding (and with a due digest every pending digest), or none of
	// them while another deliverer holds one.
	ClaimNotices(ctx context.Context, receiver, owner string, now time.Time, lease time.Duration, limit int) ([]Notice, error)
	// StartAttempt is the check right before posting: if owner still
	// holds every one of ids, it records that an attempt began at (kept
	// until the notices are marked sent), extends all of owner's claims
	// to until, and returns true; otherwise it changes nothing.
	StartAttempt(ctx context.Context, owner string, ids []int64, at, until time.Time) (bool, error)
	// NoticesSent marks claimed notices delivered.
	NoticesSent(ctx context.Context, ids []int64, at time.Time) error
	// NoticesFailed records a failed attempt: the notices are released and
	// due again at f.Next, or given up for good with the reason. The
	// attempt's start stays recorded unless f.Refused: a timeout may hide
	// a message that was posted.
	NoticesFailed(ctx context.Context, ids []int64, f DeliveryFailure) error
	// ReleaseNotices gives notices owner still holds back untouched, due
	// at next.
	ReleaseNotices(ctx context.Context, owner string, ids []int64, next time.Time) error
	// OutboxStats counts notices waiting and given up.
	OutboxStats(ctx context.Context) (OutboxStats, error)
	// SettleReceivers hands notices of no receiver ("", written before
	// receivers existed) to adopt and gives up the pending notices of
	// receivers not in known; it returns how many it gave up.
	SettleReceivers(ctx context.Context, known []string, adopt string, at time.Time) (int, error)

	// Message returns the message a receiver posted about a finding, or
	// ErrNotFound; SaveMessage records (or replaces) it.
	Message(ctx context.Context, receiver string, findingID int64) (MessageRef, error)
	SaveMessage(ctx context.Context, receiver string, findingID int64, ref MessageRef, at time.Time) error

	Close() error
}

// Commit is everything one successful fetch writes.
type Commit struct {
	Source string
	Type   string
	At     time.Time
	Fetch  FetchState
	// Snapshot is nil when the document did not change.
	Snapshot *NewSnapshot
	// BaseHash is the newest snapshot's hash the poll started from. If
	// another process stored a different snapshot meanwhile, Commit fails
	// with ErrConflict instead of storing a diff against the wrong base.
	BaseHash string
	// Judged is set when rules ran; Findings is then every condition that
	// holds now, and open findings of the source not among them resolve.
	Judged    bool
	Findings  []Finding
	JudgedKey string
	Policy    NoticePolicy
	// Group is the notice group of this poll.
	Group string
}

// NewSnapshot is a document to store.
type NewSnapshot struct {
	Hash    string
	Body    []byte
	Changes int
}

// CommitResult says what a commit did.
type CommitResult struct {
	SnapshotID int64
	Opened     int
	Reopened   int
	Resolved   int
	Notices    int
}

// Failure is one failed fetch.
type Failure struct {
	Source string
	Type   string
	At     time.Time
	Error  string
	// Raise, when set, is the source's failing finding to open (once).
	Raise  *Finding
	Policy NoticePolicy
	Group  string
}

// DeliveryFailure is one failed delivery attempt.
type DeliveryFailure struct {
	At, Next time.Time
	Reason   string
	// GiveUp ends the notices for good.
	GiveUp bool
	// Refused: the destination answered that it did not take the message
	// (see IsRefused), so the attempt leaves no doubt to check.
	Refused bool
}

// OutboxStats describes the outbox.
type OutboxStats struct {
	Pending   int
	GivenUp   int
	LastError string
}
