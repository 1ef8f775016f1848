package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

// Message returns the message receiver posted about a finding, or
// watcher.ErrNotFound.
func (db *DB) Message(ctx context.Context, receiver string, findingID int64) (watcher.MessageRef, error) {
	var ref watcher.MessageRef
	err := db.db.QueryRowContext(ctx, "SELECT channel, ts FROM receiver_messages WHERE receiver = ? AND finding_id = ?",
		receiver, findingID).Scan(&ref.Channel, &ref.TS)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ref, watcher.ErrNotFound
	case err != nil:
		return ref, fmt.Errorf("store: message: %w", err)
	}
	return ref, nil
}

// SaveMessage records the message receiver posted about a finding,
// replacing the one before (a finding reopened after it resolved is
// posted anew).
func (db *DB) SaveMessage(ctx context.Context, receiver string, findingID int64, ref watcher.MessageRef, at time.Time) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO receiver_messages (receiver, finding_id, channel, ts, posted_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (receiver, finding_id) DO UPDATE SET channel = excluded.channel, ts = excluded.ts, posted_at = excluded.posted_at`,
		receiver, findingID, ref.Channel, ref.TS, formatTime(at))
	if err != nil {
		return fmt.Errorf("store: save message: %w", err)
	}
	return nil
}

// SettleReceivers fits the pending outbox to the configured receivers:
// notices written before receivers existed (receiver "") go to adopt, and
// the pending notices of a receiver no longer configured are given up,
// since nobody would ever deliver them. It returns how many were given up.
func (db *DB) SettleReceivers(ctx context.Context, known []string, adopt string, at time.Time) (int, error) {
	if len(known) == 0 {
		return 0, nil
	}
	var gaveUp int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if adopt != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET receiver = ? WHERE receiver = ''
				AND sent_at IS NULL AND given_up_at IS NULL`, adopt); err != nil {
				return err
			}
		}
		args := []any{formatTime(at)}
		query := `UPDATE outbox SET given_up_at = ?, claimed_by = NULL, claimed_until = NULL,
			last_error = 'receiver ' || receiver || ' is no longer configured'
			WHERE sent_at IS NULL AND given_up_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?)`
		args = append(args, formatTime(at))
		query += " AND receiver NOT IN (" + placeholders(len(known)) + ")"
		for _, k := range known {
			args = append(args, k)
		}
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		gaveUp, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: settle receivers: %w", err)
	}
	return int(gaveUp), nil
}
