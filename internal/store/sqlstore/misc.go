package sqlstore

import (
	"context"
	"fmt"
	"time"

	"hongyan/internal/store"
)

// insertWithID inserts one row into a table whose id the database assigns
// when the caller gives 0. cols/args exclude the id column.
func (w *wtx) insertWithID(table string, id int64, cols string, args []any) (int64, error) {
	ph := "?"
	for range len(args) - 1 {
		ph += ", ?"
	}
	if id != 0 {
		_, err := w.exec(`INSERT INTO `+table+` (id, `+cols+`) VALUES (?, `+ph+`)`, append([]any{id}, args...)...)
		if err != nil {
			return 0, err
		}
		return id, w.s.d.afterExplicitID(w.ctx, w.tx, table)
	}
	// RETURNING works on SQLite ≥ 3.35 and PostgreSQL (MySQL: LastInsertId).
	err := w.scanOne(`INSERT INTO `+table+` (`+cols+`) VALUES (`+ph+`) RETURNING id`, args, &id)
	return id, err
}

func (s *Store) dupOr(err error) error {
	if s.d.isUniqueViolation(err) {
		return fmt.Errorf("%w: %w", store.ErrDuplicate, err)
	}
	return err
}

// ---- accounts ----

const accountCols = `name, balance, service_code, callback_url, secret, password_hash, created_at, reserved, credit_limit, org_id, kind`

// CreateAccount inserts a; a.ID is set when 0. A taken name is ErrDuplicate.
func (s *Store) CreateAccount(ctx context.Context, a *store.Account) error {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = time.Now()
	}
	given := a.ID
	if a.Kind == "" {
		a.Kind = store.KindUnit
	}
	return s.write(ctx, "create account", func(w *wtx) error {
		id, err := w.insertWithID("accounts", given, accountCols,
			[]any{a.Name, a.Balance, a.ServiceCode, a.CallbackURL, a.Secret, a.PasswordHash, us(a.CreatedAt), a.Reserved, a.CreditLimit, a.OrgID, a.Kind})
		if err != nil {
			return s.dupOr(err)
		}
		a.ID = id
		if a.Balance == 0 {
			return nil
		}
		// The opening balance is the ledger's first entry: a balance is always the sum of its entries.
		_, err = w.exec(`INSERT INTO ledger (account_id, at, kind, amount, balance_after, messages, note, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			id, us(a.CreatedAt), "open", a.Balance, a.Balance, 0, "opening balance", "")
		return err
	})
}

func scanAccount(sc scanner) (*store.Account, error) {
	a := &store.Account{}
	var created int64
	if err := sc.Scan(&a.ID, &a.Name, &a.Balance, &a.ServiceCode, &a.CallbackURL, &a.Secret, &a.PasswordHash, &created, &a.Reserved, &a.CreditLimit, &a.OrgID, &a.Kind); err != nil {
		return nil, err
	}
	a.CreatedAt = tm(created)
	return a, nil
}

func (s *Store) account(ctx context.Context, op, where string, arg any) (*store.Account, error) {
	st, err := s.rst.get(ctx, `SELECT id, `+accountCols+` FROM accounts WHERE `+where+` = ?`)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", op, err)
	}
	a, err := scanAccount(st.QueryRowContext(ctx, arg))
	if err != nil {
		return nil, notFound(op, err)
	}
	return a, nil
}

func (s *Store) GetAccount(ctx context.Context, id int64) (*store.Account, error) {
	return s.account(ctx, fmt.Sprintf("get account %d", id), "id", id)
}

func (s *Store) AccountByName(ctx context.Context, name string) (*store.Account, error) {
	return s.account(ctx, fmt.Sprintf("account %q", name), "name", name)
}

// Accounts lists every account by id.
func (s *Store) Accounts(ctx context.Context) ([]*store.Account, error) {
	rows, err := s.rquery(ctx, `SELECT id, `+accountCols+` FROM accounts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: accounts: %w", err)
	}
	defer rows.Close()
	var out []*store.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("store: accounts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: accounts: %w", err)
	}
	return out, nil
}

// ---- API keys ----

// CreateAPIKey stores k; an existing hash is ErrDuplicate.
func (s *Store) CreateAPIKey(ctx context.Context, k *store.APIKey) error {
	if k.CreatedAt.IsZero() {
		k.CreatedAt = time.Now()
	}
	return s.write(ctx, "create api key", func(w *wtx) error {
		_, err := w.exec(`INSERT INTO api_keys (hash, prefix, account_id, created_at, revoked) VALUES (?, ?, ?, ?, ?)`,
			k.Hash, k.Prefix, k.AccountID, us(k.CreatedAt), b2i(k.Revoked))
		return s.dupOr(err)
	})
}

// APIKeys lists every key, revoked included, oldest first.
func (s *Store) APIKeys(ctx context.Context) ([]*store.APIKey, error) {
	rows, err := s.rquery(ctx, `SELECT hash, prefix, account_id, created_at, revoked FROM api_keys ORDER BY created_at, prefix`)
	if err != nil {
		return nil, fmt.Errorf("store: api keys: %w", err)
	}
	defer rows.Close()
	var out []*store.APIKey
	for rows.Next() {
		k := &store.APIKey{}
		var created, revoked int64
		if err := rows.Scan(&k.Hash, &k.Prefix, &k.AccountID, &created, &revoked); err != nil {
			return nil, fmt.Errorf("store: api keys: %w", err)
		}
		k.CreatedAt, k.Revoked = tm(created), revoked != 0
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: api keys: %w", err)
	}
	return out, nil
}

// ---- MO ----

const moCols = `account_id, from_number, to_number, content, operator, gateway, keyword, business, route_id, received_at`

// InsertMO stores MO messages in one transaction; IDs are set when 0 and
// grow in arrival order (ListMO pages by them).
func (s *Store) InsertMO(ctx context.Context, mos []*store.MO) error {
	if len(mos) == 0 {
		return nil
	}
	given := make([]int64, len(mos))
	for i, m := range mos {
		given[i] = m.ID
		if m.ReceivedAt.IsZero() {
			m.ReceivedAt = time.Now()
		}
	}
	return s.write(ctx, "insert mo", func(w *wtx) error {
		for i, m := range mos {
			id, err := w.insertWithID("mo", given[i], moCols,
				[]any{m.AccountID, m.From, m.To, m.Content, m.Operator, m.Gateway, m.Keyword, m.Business, m.RouteID, us(m.ReceivedAt)})
			if err != nil {
				return s.dupOr(err)
			}
			m.ID = id
		}
		return nil
	})
}

// ListMO lists MO with id > afterID in id order; accountID 0 = every
// account; limit <= 0 = all.
func (s *Store) ListMO(ctx context.Context, accountID int64, afterID int64, limit int) ([]*store.MO, error) {
	q, args := scope(`SELECT id, `+moCols+` FROM mo WHERE id > ?`, []any{afterID}, accountID)
	lim, largs := limitClause(limit)
	rows, err := s.rquery(ctx, q+` ORDER BY id`+lim, append(args, largs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: list mo: %w", err)
	}
	defer rows.Close()
	var out []*store.MO
	for rows.Next() {
		m := &store.MO{}
		var at int64
		if err := rows.Scan(&m.ID, &m.AccountID, &m.From, &m.To, &m.Content, &m.Operator, &m.Gateway, &m.Keyword, &m.Business, &m.RouteID, &at); err != nil {
			return nil, fmt.Errorf("store: list mo: %w", err)
		}
		m.ReceivedAt = tm(at)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list mo: %w", err)
	}
	return out, nil
}

// ---- pushes ----

const pushCols = `account_id, kind, ref_id, url, body, attempts, next_at, done, last_error, created_at`

// InsertPushes stores pushes in one transaction; IDs are set when 0.
func (s *Store) InsertPushes(ctx context.Context, ps []*store.Push) error {
	if len(ps) == 0 {
		return nil
	}
	given := make([]int64, len(ps))
	for i, p := range ps {
		given[i] = p.ID
		if p.CreatedAt.IsZero() {
			p.CreatedAt = time.Now()
		}
	}
	return s.write(ctx, "insert pushes", func(w *wtx) error {
		for i, p := range ps {
			body := p.Body
			if body == nil {
				body = []byte{} // NOT NULL
			}
			id, err := w.insertWithID("pushes", given[i], pushCols,
				[]any{p.AccountID, p.Kind, p.RefID, p.URL, body, p.Attempts, us(p.NextAt), b2i(p.Done), p.LastError, us(p.CreatedAt)})
			if err != nil {
				return s.dupOr(err)
			}
			p.ID = id
		}
		return nil
	})
}

func (s *Store) pushes(ctx context.Context, op, q string, args ...any) ([]*store.Push, error) {
	rows, err := s.rquery(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", op, err)
	}
	defer rows.Close()
	var out []*store.Push
	for rows.Next() {
		p := &store.Push{}
		var next, done, created int64
		if err := rows.Scan(&p.ID, &p.AccountID, &p.Kind, &p.RefID, &p.URL, &p.Body, &p.Attempts, &next, &done, &p.LastError, &created); err != nil {
			return nil, fmt.Errorf("store: %s: %w", op, err)
		}
		p.NextAt, p.Done, p.CreatedAt = tm(next), done != 0, tm(created)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", op, err)
	}
	return out, nil
}

// DuePushes returns undone pushes with NextAt <= now, by NextAt then id;
// limit <= 0 = all.
func (s *Store) DuePushes(ctx context.Context, now time.Time, limit int) ([]*store.Push, error) {
	lim, largs := limitClause(limit)
	return s.pushes(ctx, "due pushes", `SELECT id, `+pushCols+` FROM pushes WHERE done = 0 AND next_at <= ? ORDER BY next_at, id`+lim,
		append([]any{us(now)}, largs...)...)
}

// RecordPushAttempt stores the attempt and updates the push: Attempts+1
// (p.Attempts is set to the stored count), Done, NextAt and LastError as
// given in p. ErrNotFound when the push does not exist.
func (s *Store) RecordPushAttempt(ctx context.Context, p *store.Push, a store.PushAttempt) error {
	if a.At.IsZero() {
		a.At = time.Now()
	}
	if a.PushID == 0 {
		a.PushID = p.ID
	}
	return s.write(ctx, "record push attempt", func(w *wtx) error {
		n, err := w.execN(`UPDATE pushes SET attempts = attempts + 1, done = ?, next_at = ?, last_error = ? WHERE id = ?`,
			b2i(p.Done), us(p.NextAt), p.LastError, p.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("push %d: %w", p.ID, store.ErrNotFound)
		}
		if _, err := w.exec(`INSERT INTO push_attempts (push_id, at, http_status, error, duration_us) VALUES (?, ?, ?, ?, ?)`,
			a.PushID, us(a.At), a.HTTPStatus, a.Error, a.Duration.Microseconds()); err != nil {
			return err
		}
		return w.scanOne(`SELECT attempts FROM pushes WHERE id = ?`, []any{p.ID}, &p.Attempts)
	})
}

// PushAttempts lists a push's attempts in order.
func (s *Store) PushAttempts(ctx context.Context, pushID int64) ([]store.PushAttempt, error) {
	rows, err := s.rquery(ctx, `SELECT push_id, at, http_status, error, duration_us FROM push_attempts WHERE push_id = ? ORDER BY id`, pushID)
	if err != nil {
		return nil, fmt.Errorf("store: push attempts: %w", err)
	}
	defer rows.Close()
	var out []store.PushAttempt
	for rows.Next() {
		var a store.PushAttempt
		var at, dur int64
		if err := rows.Scan(&a.PushID, &at, &a.HTTPStatus, &a.Error, &dur); err != nil {
			return nil, fmt.Errorf("store: push attempts: %w", err)
		}
		a.At, a.Duration = tm(at), time.Duration(dur)*time.Microsecond
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: push attempts: %w", err)
	}
	return out, nil
}

// PushesFor lists the pushes of one MO or message, in id order.
func (s *Store) PushesFor(ctx context.Context, kind string, refID int64) ([]*store.Push, error) {
	return s.pushes(ctx, "pushes for", `SELECT id, `+pushCols+` FROM pushes WHERE ref_id = ? AND kind = ? ORDER BY id`, refID, kind)
}
