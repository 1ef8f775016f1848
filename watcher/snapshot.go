package watcher

import "time"

// Snapshot is one stored document of a source: canonical, redacted JSON.
type Snapshot struct {
	ID        int64
	Source    string
	FetchedAt time.Time
	Hash      string
	// Changes is the number of changes against the snapshot before it.
	Changes int
	Body    []byte
}

// SnapshotInfo is a snapshot without its body, for listings.
type SnapshotInfo struct {
	ID        int64     `json:"id"`
	Source    string    `json:"-"`
	FetchedAt time.Time `json:"fetched_at"`
	Hash      string    `json:"hash"`
	Changes   int       `json:"changes"`
}
