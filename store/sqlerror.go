package store

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
)

// SQLite's primary result codes that need words.
const (
	sqlitePerm     = 3
	sqliteBusy     = 5
	sqliteLocked   = 6
	sqliteNoMem    = 7
	sqliteReadOnly = 8
	sqliteIOErr    = 10
	sqliteCorrupt  = 11
	sqliteFull     = 13
	sqliteCantOpen = 14
	sqliteProtocol = 15
	sqliteNotADB   = 26
)

// extendedWords explain the extended codes a store meets in the field.
var extendedWords = map[int]string{
	266:  "reading the store file failed: check the disk",                                                              // IOERR_READ
	522:  "the store file is shorter than SQLite expects: it was truncated or is still being copied",                   // IOERR_SHORT_READ
	778:  "writing the store file failed: the disk may be full or failing",                                             // IOERR_WRITE
	1034: "flushing the store file to disk failed: the disk may be full or failing",                                    // IOERR_FSYNC
	1290: "the store's -journal or -wal file could not be deleted: check the folder's permissions",                     // IOERR_DELETE
	3338: "the store's -wal or -shm file is not accessible: check the permissions of the store's folder",               // IOERR_ACCESS
	4618: "the shared-memory file (-shm) beside the store could not be opened: check the folder's permissions",         // IOERR_SHMOPEN
	4874: "the shared-memory file (-shm) beside the store could not grow: the disk is probably full",                   // IOERR_SHMSIZE
	5130: "the shared-memory file (-shm) beside the store could not be locked: is the store on a network file system?", // IOERR_SHMLOCK
	3850: "the store file could not be locked: is the store on a network file system?",                                 // IOERR_LOCK
	264:  "the store is read-only and needs recovery: open it once where it can be written",                            // READONLY_RECOVERY
	520:  "the store is read-only: its folder cannot hold the -shm lock file",                                          // READONLY_CANTLOCK
	1032: "the store file was moved or deleted while open",                                                             // READONLY_DBMOVED
	1544: "the store's folder is read-only: SQLite cannot create its -wal and -shm files there",                        // READONLY_DIRECTORY
}

// primaryWords explain SQLite's primary codes.
var primaryWords = map[int]string{
	sqlitePerm:     "permission denied: check the owner and mode of the store file and its folder",
	sqliteBusy:     "the store stayed locked by another process for longer than the busy timeout: retry",
	sqliteLocked:   "the store is locked by another connection: retry",
	sqliteNoMem:    "SQLite ran out of memory",
	sqliteReadOnly: "the store is read-only: check the permissions of the file and its folder (SQLite creates -wal and -shm files beside it)",
	sqliteIOErr:    "a disk read or write of the store failed: check free space and the disk",
	sqliteCorrupt:  "the store file is damaged: restore it from a backup or move it aside",
	sqliteFull:     "the disk holding the store is full: free some space and retry",
	sqliteCantOpen: "the store file cannot be opened: check that its folder exists and can be written",
	sqliteProtocol: "the store's locks are in conflict: is the store on a network file system?",
	sqliteNotADB:   "the file is not a driftwatch store (not a SQLite database): check store.path",
}

// sqliteCode returns the SQLite result code an error carries.
func sqliteCode(err error) (int, bool) {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return 0, false
	}
	return se.Code(), true
}

// Explain adds words to a bare SQLite error such as "disk I/O error
// (4874)", so a person knows what to do; other errors are returned as
// they are.
func Explain(err error) error {
	code, ok := sqliteCode(err)
	if !ok {
		return err
	}
	words, ok := extendedWords[code]
	if !ok {
		words, ok = primaryWords[code&0xff]
	}
	if !ok {
		return err
	}
	return &explained{err: err, words: words}
}

type explained struct {
	err   error
	words string
}

func (e *explained) Error() string { return fmt.Sprintf("%v: %s", e.err, e.words) }

func (e *explained) Unwrap() error { return e.err }
