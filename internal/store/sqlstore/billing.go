package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"hongyan/internal/store"
)

// Money in the hot path. A transaction gathers, per account, what it
// reserves (accepted messages' fees), releases (messages gone final) and
// charges, and writes each account once at its end (flushMoney): one
// UPDATE and at most one ledger row per account per group commit, however
// many messages the round carried.

type acctMoney struct {
	loaded   bool
	avail    int64 // balance + credit_limit - reserved when loaded
	reserve  int64 // fees reserved by this transaction
	release  int64 // reservations released by this transaction
	charge   int64 // fees taken by this transaction
	messages int   // messages charged
}

func (w *wtx) money(account int64) *acctMoney {
	if w.acct == nil {
		w.acct = map[int64]*acctMoney{}
	}
	a := w.acct[account]
	if a == nil {
		a = &acctMoney{}
		w.acct[account] = a
	}
	return a
}

// canReserve reports whether account may reserve fee more now.
func (w *wtx) canReserve(account, fee int64) (bool, error) {
	a := w.money(account)
	if !a.loaded {
		err := w.scanOne(`SELECT balance + credit_limit - reserved FROM accounts WHERE id = ?`+w.s.d.lockSuffix(), []any{account}, &a.avail)
		if errors.Is(err, sql.ErrNoRows) {
			a.avail = 0 // no such account: nothing to spend
		} else if err != nil {
			return false, fmt.Errorf("account %d funds: %w", account, err)
		}
		a.loaded = true
	}
	return a.avail-a.reserve+a.release-a.charge >= fee, nil
}

// feeTaken is what a message going final from state from to state to is
// charged (store.Charges): its fee, or nothing.
func feeTaken(m *msgInfo, from, to store.State) int64 {
	if m == nil || m.fee == 0 || !store.Charges(m.chargeOn, from, to) {
		return 0
	}
	return m.fee
}

// settleFinal releases the reservation of a message that went final and
// takes charged (from feeTaken) from its account.
func (w *wtx) settleFinal(m *msgInfo, charged int64) {
	if m == nil || m.fee == 0 {
		return
	}
	w.subSettled(m, charged) // a released subscriber's fee gives back to its month (subscriptions.go)
	a := w.money(m.account)
	a.release += m.fee
	if charged > 0 {
		a.charge += charged
		a.messages++
	}
}

// flushMoney writes the transaction's money movements, accounts in id order.
func (w *wtx) flushMoney() error {
	if len(w.acct) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(w.acct))
	for id := range w.acct {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, cmp.Compare)
	now := us(time.Now())
	for _, id := range ids {
		a := w.acct[id]
		dr := a.reserve - a.release
		if dr == 0 && a.charge == 0 {
			continue
		}
		var bal int64
		err := w.scanOne(`UPDATE accounts SET reserved = reserved + ?, balance = balance - ? WHERE id = ? RETURNING balance`,
			[]any{dr, a.charge, id}, &bal)
		if err != nil {
			return fmt.Errorf("account %d money: %w", id, err)
		}
		if a.charge != 0 {
			if _, err := w.exec(`INSERT INTO ledger (account_id, at, kind, amount, balance_after, messages, note, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				id, now, "charge", -a.charge, bal, a.messages, "", ""); err != nil {
				return fmt.Errorf("account %d ledger: %w", id, err)
			}
		}
	}
	return nil
}

// Recharge adds amount to an account's balance with a ledger row.
func (s *Store) Recharge(ctx context.Context, accountID, amount int64, kind, note, actor string) (int64, error) {
	if kind == "" {
		kind = "recharge"
	}
	var bal int64
	err := s.write(ctx, "recharge", func(w *wtx) error {
		err := w.scanOne(`UPDATE accounts SET balance = balance + ? WHERE id = ? RETURNING balance`, []any{amount, accountID}, &bal)
		if err != nil {
			return notFound(fmt.Sprintf("account %d", accountID), err)
		}
		_, err = w.exec(`INSERT INTO ledger (account_id, at, kind, amount, balance_after, messages, note, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			accountID, us(time.Now()), kind, amount, bal, 0, note, actor)
		return err
	})
	return bal, err
}

// Ledger lists an account's entries, newest first (limit <= 0 = all).
func (s *Store) Ledger(ctx context.Context, accountID int64, limit int) ([]store.LedgerEntry, error) {
	lim, largs := limitClause(limit)
	rows, err := s.rquery(ctx, `SELECT id, account_id, at, kind, amount, balance_after, messages, note, actor FROM ledger
WHERE account_id = ? ORDER BY id DESC`+lim, append([]any{accountID}, largs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: ledger: %w", err)
	}
	defer rows.Close()
	var out []store.LedgerEntry
	for rows.Next() {
		var e store.LedgerEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.AccountID, &at, &e.Kind, &e.Amount, &e.BalanceAfter, &e.Messages, &e.Note, &e.Actor); err != nil {
			return nil, fmt.Errorf("store: ledger: %w", err)
		}
		e.At = tm(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
