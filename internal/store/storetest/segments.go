package storetest

import (
	"errors"
	"testing"

	"hongyan/internal/store"
)

// testSegmentEdits: edits of the segment table are set, replaced and
// removed per (kind, key), every change moves the version, a failed one
// does not, and an audited change writes its entry with it.
func testSegmentEdits(t *testing.T, s store.Store) {
	f := newFx(t, s)
	none, v0, err := s.SegmentEdits(f.ctx)
	f.must(err)
	if len(none) != 0 || v0 != 0 {
		t.Fatalf("fresh store: edits %v at version %d, want none at 0", none, v0)
	}
	f.must(s.SetSegmentEdit(f.ctx, &store.SegmentEdit{Kind: store.SegPrefix, Key: "1390", Operator: "cucc", UpdatedBy: "root", UpdatedAt: base}))
	f.must(s.SetSegmentEdit(f.ctx, &store.SegmentEdit{Kind: store.SegPorted, Key: "13800138000", Operator: "ctcc", UpdatedBy: "root", UpdatedAt: base}))
	f.must(s.SetSegmentEdit(f.ctx, &store.SegmentEdit{Kind: store.SegPrefix, Key: "1349", Operator: "", UpdatedBy: "ops", UpdatedAt: base}))
	// The same prefix again replaces it; the same key of the other kind is another edit.
	f.must(s.SetSegmentEdit(f.ctx, &store.SegmentEdit{Kind: store.SegPrefix, Key: "1390", Operator: "ctcc", UpdatedBy: "ops", UpdatedAt: base.Add(1e6)}))
	f.must(s.SetSegmentEdit(f.ctx, &store.SegmentEdit{Kind: store.SegPorted, Key: "1390", Operator: "cmcc", UpdatedBy: "ops", UpdatedAt: base}))
	got, v, err := s.SegmentEdits(f.ctx)
	f.must(err)
	if v != 5 {
		t.Fatalf("version after 5 changes = %d", v)
	}
	want := []store.SegmentEdit{
		{Kind: "ported", Key: "13800138000", Operator: "ctcc", UpdatedBy: "root", UpdatedAt: base},
		{Kind: "ported", Key: "1390", Operator: "cmcc", UpdatedBy: "ops", UpdatedAt: base},
		{Kind: "prefix", Key: "1349", Operator: "", UpdatedBy: "ops", UpdatedAt: base},
		{Kind: "prefix", Key: "1390", Operator: "ctcc", UpdatedBy: "ops", UpdatedAt: base.Add(1e6)},
	}
	if len(got) != len(want) {
		t.Fatalf("edits = %d, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.Kind || g.Key != w.Key || g.Operator != w.Operator || g.UpdatedBy != w.UpdatedBy || !g.UpdatedAt.Equal(w.UpdatedAt) {
			t.Fatalf("edit %d = %+v, want %+v", i, *g, w)
		}
	}
	f.must(s.DeleteSegmentEdit(f.ctx, store.SegPorted, "1390"))
	if err := s.DeleteSegmentEdit(f.ctx, store.SegPorted, "1390"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting a deleted edit: err = %v, want ErrNotFound", err)
	}
	if v, err := s.SegmentEditsVersion(f.ctx); err != nil || v != 6 {
		t.Fatalf("version after a delete and a failed delete = %d, %v; want 6", v, err)
	}
	left, _, err := s.SegmentEdits(f.ctx)
	f.must(err)
	if len(left) != 3 || left[0].Key != "13800138000" {
		t.Fatalf("after delete: %d edits, first %+v", len(left), left[0])
	}

	// Audited: the entry commits with the change.
	ctx := store.WithAudit(f.ctx, &store.AuditEntry{Username: "root", Action: "update", Object: "segment_prefix", ObjectID: "1391", After: `{"operator":"cbn"}`}, nil)
	f.must(s.SetSegmentEdit(ctx, &store.SegmentEdit{Kind: store.SegPrefix, Key: "1391", Operator: "cbn", UpdatedBy: "root"}))
	es, err := s.Audit(f.ctx, store.AuditQuery{Object: "segment_prefix"})
	f.must(err)
	if len(es) != 1 || es[0].ObjectID != "1391" || es[0].After != `{"operator":"cbn"}` {
		t.Fatalf("audit of the edit = %+v", es)
	}
}
