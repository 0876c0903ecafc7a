package sqlstore

import (
	"context"
	"fmt"

	"hongyan/internal/store"
)

// UpdateAccount changes an account's settings (name, service code, receive
// URL, push secret, password hash, credit limit, organisation, kind). The balance is not a setting: it only
// changes through the billing ledger.
func (s *Store) UpdateAccount(ctx context.Context, a *store.Account) error {
	if a.Kind == "" {
		a.Kind = store.KindUnit
	}
	return s.write(ctx, "update account", func(w *wtx) error {
		n, err := w.execN(`UPDATE accounts SET name = ?, service_code = ?, callback_url = ?, secret = ?, password_hash = ?, credit_limit = ?, org_id = ?, kind = ? WHERE id = ?`,
			a.Name, a.ServiceCode, a.CallbackURL, a.Secret, a.PasswordHash, a.CreditLimit, a.OrgID, a.Kind, a.ID)
		if err != nil {
			return s.dupOr(err)
		}
		if n == 0 {
			return fmt.Errorf("account %d: %w", a.ID, store.ErrNotFound)
		}
		return nil
	})
}
