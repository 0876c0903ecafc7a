package storetest

import (
	"errors"
	"testing"

	"hongyan/internal/store"
)

func testUpdateAccount(t *testing.T, s store.Store) {
	f := newFx(t, s)
	a := f.account("ems")
	other := f.account("post")
	a.CallbackURL, a.Secret, a.ServiceCode = "https://ems.example/cb", "s3cret", "1065800001"
	a.Balance = 999999 // not a setting: must not change
	f.must(s.UpdateAccount(f.ctx, a))
	got, err := s.GetAccount(f.ctx, a.ID)
	f.must(err)
	if got.CallbackURL != "https://ems.example/cb" || got.Secret != "s3cret" || got.ServiceCode != "1065800001" || got.Balance != 1000 {
		t.Fatalf("after update: %+v", got)
	}
	other.Name = "ems"
	if err := s.UpdateAccount(f.ctx, other); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("renaming onto an existing name: %v, want ErrDuplicate", err)
	}
	if err := s.UpdateAccount(f.ctx, &store.Account{ID: 987654321, Name: "x"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("updating a missing account: %v, want ErrNotFound", err)
	}
}
