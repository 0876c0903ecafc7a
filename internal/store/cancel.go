package store

import (
	"context"
	"time"
)

// Cancelled is final: the sender cancelled the message before it was
// handed to a gateway (a scheduled send called off). Nothing is charged;
// the reservation goes back to the account.
const Cancelled State = "cancelled"

// CancelCode is the operator code a cancelled message carries.
const CancelCode = "CANCELLED"

// CancelStore finalises messages that have not started.
type CancelStore interface {
	// CancelMessages makes the messages ids that belong to one of the
	// batches batchIDs Cancelled (operator code CancelCode, done at at) when
	// they are still waiting: state Accepted and never handed to a gateway
	// (no attempt, not in flight). Any other message — of another batch,
	// queued, submitted, final, or missing — is left alone, so a cancel
	// racing a dispatcher that marked the message queued first changes
	// nothing, and a message cancelled first is never queued (MarkQueued
	// leaves final messages alone). In one transaction with each cancelled
	// message: its reservation released (nothing charged), the statistics'
	// count of the cancelled state, and a "state" timeline line with
	// reason. It returns the ids it cancelled, ascending.
	CancelMessages(ctx context.Context, batchIDs, ids []int64, at time.Time, reason string) ([]int64, error)
}
