package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"hongyan/internal/store"
)

// Signatures and templates (store/templates.go). Every write raises the
// one row of template_version in its own transaction, so a node's cache
// sees any change, from any node, with one read.

// checkSignaturePlacement fills a business type's placement default and
// refuses one the core would not understand.
func checkSignaturePlacement(b *store.BusinessType) error {
	if b.Signature == "" {
		b.Signature = store.SignatureNone
	}
	if !store.ValidSignaturePlacement(b.Signature) {
		return fmt.Errorf("store: business type %s: signature %q: want %s, %s or %s", b.Code, b.Signature,
			store.SignatureNone, store.SignaturePrefix, store.SignatureSuffix)
	}
	return nil
}

func validReview(state string) bool {
	return state == store.ReviewPending || state == store.ReviewApproved || state == store.ReviewRejected
}

// checkOwner refuses a row owned by nobody or by two owners.
func checkOwner(what string, accountID, orgID int64) error {
	if (accountID == 0) == (orgID == 0) {
		return fmt.Errorf("store: %s: owned by exactly one account or organisation (account %d, org %d)", what, accountID, orgID)
	}
	return nil
}

func (w *wtx) bumpTemplatesVersion() error {
	_, err := w.exec(`UPDATE template_version SET version = version + 1 WHERE id = 1`)
	return err
}

// ---- signatures ----

const signatureCols = `account_id, org_id, text, is_default, state, reason, created_by, created_at, reviewed_by, reviewed_at`

// clearDefault makes the other signatures of id's owner not its default.
func (w *wtx) clearDefault(id, accountID, orgID int64) error {
	_, err := w.exec(`UPDATE signatures SET is_default = 0 WHERE account_id = ? AND org_id = ? AND id <> ? AND is_default <> 0`,
		accountID, orgID, id)
	return err
}

// CreateSignature adds sg; a text its owner has already is ErrDuplicate.
func (s *Store) CreateSignature(ctx context.Context, sg *store.Signature) error {
	if err := checkOwner("signature", sg.AccountID, sg.OrgID); err != nil {
		return err
	}
	if sg.State == "" {
		sg.State = store.ReviewPending
	}
	if !validReview(sg.State) || sg.Text == "" {
		return fmt.Errorf("store: signature %q: state %q", sg.Text, sg.State)
	}
	if sg.CreatedAt.IsZero() {
		sg.CreatedAt = time.Now()
	}
	return s.write(ctx, "create signature", func(w *wtx) error {
		id, err := w.insertWithID("signatures", 0, signatureCols, []any{sg.AccountID, sg.OrgID, sg.Text, b2i(sg.Default),
			sg.State, sg.Reason, sg.CreatedBy, us(sg.CreatedAt), sg.ReviewedBy, us(sg.ReviewedAt)})
		if err != nil {
			return s.dupOr(err)
		}
		sg.ID = id
		if sg.Default {
			if err := w.clearDefault(id, sg.AccountID, sg.OrgID); err != nil {
				return err
			}
		}
		return w.bumpTemplatesVersion()
	})
}

// UpdateSignature stores sg's review and default flag.
func (s *Store) UpdateSignature(ctx context.Context, sg *store.Signature) error {
	if !validReview(sg.State) {
		return fmt.Errorf("store: signature %d: state %q", sg.ID, sg.State)
	}
	return s.write(ctx, "update signature", func(w *wtx) error {
		var acct, org int64
		err := w.scanOne(`SELECT account_id, org_id FROM signatures WHERE id = ?`, []any{sg.ID}, &acct, &org)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("signature %d: %w", sg.ID, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := w.exec(`UPDATE signatures SET is_default = ?, state = ?, reason = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ?`,
			b2i(sg.Default), sg.State, sg.Reason, sg.ReviewedBy, us(sg.ReviewedAt), sg.ID); err != nil {
			return err
		}
		if sg.Default {
			if err := w.clearDefault(sg.ID, acct, org); err != nil {
				return err
			}
		}
		return w.bumpTemplatesVersion()
	})
}

// DeleteSignature removes one; ErrNotFound when there is none.
func (s *Store) DeleteSignature(ctx context.Context, id int64) error {
	return s.deleteTemplated(ctx, "signatures", id)
}

func (s *Store) deleteTemplated(ctx context.Context, table string, id int64) error {
	return s.write(ctx, "delete from "+table, func(w *wtx) error {
		n, err := w.execN(`DELETE FROM `+table+` WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%s %d: %w", table, id, store.ErrNotFound)
		}
		return w.bumpTemplatesVersion()
	})
}

// GetSignature reads one; ErrNotFound.
func (s *Store) GetSignature(ctx context.Context, id int64) (*store.Signature, error) {
	out, err := s.signatures(ctx, ` WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("signature %d: %w", id, store.ErrNotFound)
	}
	return out[0], nil
}

// Signatures lists every signature by id.
func (s *Store) Signatures(ctx context.Context) ([]*store.Signature, error) {
	return s.signatures(ctx, ``)
}

func (s *Store) signatures(ctx context.Context, where string, args ...any) ([]*store.Signature, error) {
	rows, err := s.rquery(ctx, `SELECT id, `+signatureCols+` FROM signatures`+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: signatures: %w", err)
	}
	defer rows.Close()
	var out []*store.Signature
	for rows.Next() {
		sg := &store.Signature{}
		var def, created, reviewed int64
		if err := rows.Scan(&sg.ID, &sg.AccountID, &sg.OrgID, &sg.Text, &def, &sg.State, &sg.Reason, &sg.CreatedBy, &created,
			&sg.ReviewedBy, &reviewed); err != nil {
			return nil, fmt.Errorf("store: signatures: %w", err)
		}
		sg.Default, sg.CreatedAt, sg.ReviewedAt = def != 0, tm(created), tm(reviewed)
		out = append(out, sg)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: signatures: %w", err)
	}
	return out, nil
}

// ---- templates ----

const templateCols = `account_id, org_id, code, business, text, state, reason, created_by, created_at, reviewed_by, reviewed_at`

// CreateTemplate adds t; a code its owner has already is ErrDuplicate.
func (s *Store) CreateTemplate(ctx context.Context, t *store.Template) error {
	if err := checkOwner("template", t.AccountID, t.OrgID); err != nil {
		return err
	}
	if t.State == "" {
		t.State = store.ReviewPending
	}
	if !validReview(t.State) || t.Code == "" || t.Text == "" || t.Business == "" {
		return fmt.Errorf("store: template %q: needs a code, a business type, a text and a valid state (%q)", t.Code, t.State)
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = time.Now()
	}
	return s.write(ctx, "create template", func(w *wtx) error {
		id, err := w.insertWithID("templates", 0, templateCols, []any{t.AccountID, t.OrgID, t.Code, t.Business, t.Text,
			t.State, t.Reason, t.CreatedBy, us(t.CreatedAt), t.ReviewedBy, us(t.ReviewedAt)})
		if err != nil {
			return s.dupOr(err)
		}
		t.ID = id
		return w.bumpTemplatesVersion()
	})
}

// UpdateTemplate stores t's review.
func (s *Store) UpdateTemplate(ctx context.Context, t *store.Template) error {
	if !validReview(t.State) {
		return fmt.Errorf("store: template %d: state %q", t.ID, t.State)
	}
	return s.write(ctx, "update template", func(w *wtx) error {
		n, err := w.execN(`UPDATE templates SET state = ?, reason = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ?`,
			t.State, t.Reason, t.ReviewedBy, us(t.ReviewedAt), t.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("template %d: %w", t.ID, store.ErrNotFound)
		}
		return w.bumpTemplatesVersion()
	})
}

// DeleteTemplate removes one; ErrNotFound when there is none.
func (s *Store) DeleteTemplate(ctx context.Context, id int64) error {
	return s.deleteTemplated(ctx, "templates", id)
}

// GetTemplate reads one; ErrNotFound.
func (s *Store) GetTemplate(ctx context.Context, id int64) (*store.Template, error) {
	out, err := s.templates(ctx, ` WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("template %d: %w", id, store.ErrNotFound)
	}
	return out[0], nil
}

// Templates lists every template by id.
func (s *Store) Templates(ctx context.Context) ([]*store.Template, error) {
	return s.templates(ctx, ``)
}

func (s *Store) templates(ctx context.Context, where string, args ...any) ([]*store.Template, error) {
	rows, err := s.rquery(ctx, `SELECT id, `+templateCols+` FROM templates`+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: templates: %w", err)
	}
	defer rows.Close()
	var out []*store.Template
	for rows.Next() {
		t := &store.Template{}
		var created, reviewed int64
		if err := rows.Scan(&t.ID, &t.AccountID, &t.OrgID, &t.Code, &t.Business, &t.Text, &t.State, &t.Reason, &t.CreatedBy,
			&created, &t.ReviewedBy, &reviewed); err != nil {
			return nil, fmt.Errorf("store: templates: %w", err)
		}
		t.CreatedAt, t.ReviewedAt = tm(created), tm(reviewed)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: templates: %w", err)
	}
	return out, nil
}

// TemplatesVersion is the version every write above raises.
func (s *Store) TemplatesVersion(ctx context.Context) (int64, error) {
	rows, err := s.rquery(ctx, `SELECT version FROM template_version WHERE id = 1`)
	if err != nil {
		return 0, fmt.Errorf("store: templates version: %w", err)
	}
	defer rows.Close()
	var v int64
	if rows.Next() {
		if err := rows.Scan(&v); err != nil {
			return 0, fmt.Errorf("store: templates version: %w", err)
		}
	}
	return v, rows.Err()
}
