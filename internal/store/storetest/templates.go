package storetest

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"hongyan/internal/store"
)

// Signatures and templates: owners, uniqueness per owner, one default
// signature per owner, reviews, deletion, the version every write raises
// (and a failed write does not), audit entries in the same transaction,
// and the business type settings that use them.

func testSignaturesAndTemplates(t *testing.T, s store.Store) {
	f := newFx(t, s)
	version := func() int64 {
		t.Helper()
		v, err := s.TemplatesVersion(f.ctx)
		f.must(err)
		return v
	}
	v0 := version()

	// Signatures: an account's and an organisation's.
	org := &store.Org{Level: store.LevelProvince, Code: "P", Name: "省公司"}
	f.must(s.CreateOrg(f.ctx, org))
	a := &store.Signature{AccountID: f.acct, Text: "【中国邮政】", Default: true, CreatedBy: "ops", CreatedAt: base}
	f.must(s.CreateSignature(f.ctx, a))
	if a.ID == 0 || a.State != store.ReviewPending {
		t.Fatalf("created signature %+v: want an id and state pending", a)
	}
	if v := version(); v <= v0 {
		t.Fatalf("version %d after a write, was %d", v, v0)
	}
	wantErr(t, s.CreateSignature(f.ctx, &store.Signature{AccountID: f.acct, Text: "【中国邮政】"}), store.ErrDuplicate, "the same text twice for one owner")
	o := &store.Signature{OrgID: org.ID, Text: "【中国邮政】", Default: true, CreatedAt: base}
	f.must(s.CreateSignature(f.ctx, o)) // another owner may have the same text
	for _, bad := range []*store.Signature{{Text: "【无主】"}, {AccountID: f.acct, OrgID: org.ID, Text: "【两主】"}} {
		if err := s.CreateSignature(f.ctx, bad); err == nil {
			t.Errorf("CreateSignature(%+v) accepted", bad)
		}
	}
	got, err := s.GetSignature(f.ctx, a.ID)
	f.must(err)
	if !sameSignature(got, a) || !got.CreatedAt.Equal(base) {
		t.Fatalf("GetSignature = %+v\nwant %+v", got, a)
	}

	// One default per owner: a new default takes the flag from the old one,
	// and only among its owner's signatures.
	b := &store.Signature{AccountID: f.acct, Text: "【邮政EMS】", Default: true, CreatedAt: base}
	f.must(s.CreateSignature(f.ctx, b))
	defaults := func() map[int64]bool {
		t.Helper()
		all, err := s.Signatures(f.ctx)
		f.must(err)
		m := map[int64]bool{}
		for i, sg := range all {
			if i > 0 && all[i-1].ID >= sg.ID {
				t.Fatalf("Signatures not by id: %d before %d", all[i-1].ID, sg.ID)
			}
			m[sg.ID] = sg.Default
		}
		return m
	}
	if d := defaults(); d[a.ID] || !d[b.ID] || !d[o.ID] || len(d) != 3 {
		t.Fatalf("defaults after a second default: %v (a %d, b %d, org's %d)", d, a.ID, b.ID, o.ID)
	}

	// A review: approved by someone at a time; the default moves back to a.
	a.State, a.ReviewedBy, a.ReviewedAt, a.Default = store.ReviewApproved, "root", base.Add(time.Minute), true
	f.must(s.UpdateSignature(f.ctx, a))
	if got, _ := s.GetSignature(f.ctx, a.ID); !sameSignature(got, a) {
		t.Fatalf("after review %+v\nwant %+v", got, a)
	}
	if d := defaults(); !d[a.ID] || d[b.ID] || !d[o.ID] {
		t.Fatalf("defaults after moving it back: %v", d)
	}
	b.State, b.Reason, b.ReviewedBy, b.ReviewedAt, b.Default = store.ReviewRejected, "与单位名称不符", "root", base.Add(time.Hour), false
	f.must(s.UpdateSignature(f.ctx, b))
	if got, _ := s.GetSignature(f.ctx, b.ID); got.State != store.ReviewRejected || got.Reason != "与单位名称不符" || got.Default {
		t.Fatalf("rejected signature %+v", got)
	}
	if d := defaults(); !d[a.ID] {
		t.Fatalf("a review without the flag took a's default: %v", d)
	}
	wantErr(t, s.UpdateSignature(f.ctx, &store.Signature{ID: 999999, State: store.ReviewApproved}), store.ErrNotFound, "update of a missing signature")
	if err := s.UpdateSignature(f.ctx, &store.Signature{ID: a.ID, State: "maybe"}); err == nil {
		t.Fatal("UpdateSignature with state maybe accepted")
	}
	f.must(s.DeleteSignature(f.ctx, b.ID))
	wantErr(t, s.DeleteSignature(f.ctx, b.ID), store.ErrNotFound, "deleting twice")
	_, err = s.GetSignature(f.ctx, b.ID)
	wantErr(t, err, store.ErrNotFound, "a deleted signature")

	// Templates.
	v1 := version()
	tp := &store.Template{AccountID: f.acct, Code: "parcel", Business: "notice", Text: "{name}，您的包裹已到，取件码{code}。",
		CreatedBy: "ops", CreatedAt: base}
	f.must(s.CreateTemplate(f.ctx, tp))
	if tp.ID == 0 || tp.State != store.ReviewPending {
		t.Fatalf("created template %+v", tp)
	}
	wantErr(t, s.CreateTemplate(f.ctx, &store.Template{AccountID: f.acct, Code: "parcel", Business: "notice", Text: "x"}),
		store.ErrDuplicate, "a code twice for one owner")
	ot := &store.Template{OrgID: org.ID, Code: "parcel", Business: "marketing", Text: "{name}您好", CreatedAt: base}
	f.must(s.CreateTemplate(f.ctx, ot))
	for _, bad := range []*store.Template{
		{Code: "x", Business: "notice", Text: "x"},
		{AccountID: f.acct, Code: "", Business: "notice", Text: "x"},
		{AccountID: f.acct, Code: "y", Business: "", Text: "x"},
		{AccountID: f.acct, Code: "z", Business: "notice", Text: ""},
	} {
		if err := s.CreateTemplate(f.ctx, bad); err == nil {
			t.Errorf("CreateTemplate(%+v) accepted", bad)
		}
	}
	tp.State, tp.ReviewedBy, tp.ReviewedAt = store.ReviewApproved, "root", base.Add(time.Minute)
	f.must(s.UpdateTemplate(f.ctx, tp))
	gt, err := s.GetTemplate(f.ctx, tp.ID)
	f.must(err)
	if !sameTemplate(gt, tp) {
		t.Fatalf("GetTemplate = %+v\nwant %+v", gt, tp)
	}
	all, err := s.Templates(f.ctx)
	f.must(err)
	if len(all) != 2 || all[0].ID != tp.ID || all[1].ID != ot.ID || all[1].OrgID != org.ID || all[1].Business != "marketing" {
		t.Fatalf("Templates = %+v", all)
	}
	wantErr(t, s.UpdateTemplate(f.ctx, &store.Template{ID: 999999, State: store.ReviewRejected}), store.ErrNotFound, "update of a missing template")
	f.must(s.DeleteTemplate(f.ctx, ot.ID))
	wantErr(t, s.DeleteTemplate(f.ctx, ot.ID), store.ErrNotFound, "deleting a template twice")
	_, err = s.GetTemplate(f.ctx, ot.ID)
	wantErr(t, err, store.ErrNotFound, "a deleted template")
	if v := version(); v < v1+4 {
		t.Fatalf("version %d after 4 template writes from %d", v, v1)
	}

	// A failed write changes neither the version nor the audit log; a
	// successful one writes its entry in the same transaction.
	v2 := version()
	failed := store.WithAudit(f.ctx, &store.AuditEntry{Username: "ops", Action: "create", Object: "template"}, nil)
	wantErr(t, s.CreateTemplate(failed, &store.Template{AccountID: f.acct, Code: "parcel", Business: "notice", Text: "x"}),
		store.ErrDuplicate, "an audited duplicate")
	if v := version(); v != v2 {
		t.Fatalf("a failed write moved the version %d → %d", v2, v)
	}
	nt := &store.Template{AccountID: f.acct, Code: "otp", Business: "verify", Text: "验证码{code}，5分钟内有效。", CreatedAt: base}
	ok := store.WithAudit(f.ctx, &store.AuditEntry{At: base, Username: "ops", Action: "create", Object: "template"},
		func(e *store.AuditEntry) { e.ObjectID = strconv.FormatInt(nt.ID, 10) })
	f.must(s.CreateTemplate(ok, nt))
	es, err := s.Audit(f.ctx, store.AuditQuery{Object: "template"})
	f.must(err)
	if len(es) != 1 || es[0].ObjectID != strconv.FormatInt(nt.ID, 10) || es[0].Action != "create" {
		t.Fatalf("template audit entries %+v", es)
	}
}

func testBusinessTypeTemplateSettings(t *testing.T, s store.Store) {
	f := newFx(t, s)
	mk := &store.BusinessType{Code: "marketing", Enabled: true, ReportRequired: true, TemplateRequired: true,
		Signature: store.SignatureSuffix, UnsubscribeText: "回T退订"}
	f.must(s.CreateBusinessType(f.ctx, mk))
	plain := &store.BusinessType{Code: "plain", Enabled: true}
	f.must(s.UpsertBusinessType(f.ctx, plain))
	if plain.Signature != store.SignatureNone {
		t.Fatalf("default placement %q, want none", plain.Signature)
	}
	get := func(code string) *store.BusinessType {
		t.Helper()
		bts, err := s.BusinessTypes(f.ctx)
		f.must(err)
		for _, b := range bts {
			if b.Code == code {
				return b
			}
		}
		t.Fatalf("business type %s missing", code)
		return nil
	}
	if got := get("marketing"); !reflect.DeepEqual(got, mk) {
		t.Fatalf("marketing = %+v\nwant %+v", got, mk)
	}
	if got := get("plain"); got.TemplateRequired || got.Signature != store.SignatureNone || got.UnsubscribeText != "" {
		t.Fatalf("plain = %+v", got)
	}
	mk.TemplateRequired, mk.Signature, mk.UnsubscribeText = false, store.SignaturePrefix, "拒收请回复R"
	f.must(s.UpdateBusinessType(f.ctx, mk))
	if got := get("marketing"); !reflect.DeepEqual(got, mk) {
		t.Fatalf("after update = %+v\nwant %+v", got, mk)
	}
	bad := &store.BusinessType{Code: "x", Signature: "middle"}
	if err := s.CreateBusinessType(f.ctx, bad); err == nil {
		t.Fatal("placement middle accepted")
	}
}

// sameSignature compares two signatures, times by instant (a store may
// give them in another location).
func sameSignature(a, b *store.Signature) bool {
	x, y := *a, *b
	x.CreatedAt, x.ReviewedAt, y.CreatedAt, y.ReviewedAt = x.CreatedAt.UTC(), x.ReviewedAt.UTC(), y.CreatedAt.UTC(), y.ReviewedAt.UTC()
	return reflect.DeepEqual(x, y)
}

func sameTemplate(a, b *store.Template) bool {
	x, y := *a, *b
	x.CreatedAt, x.ReviewedAt, y.CreatedAt, y.ReviewedAt = x.CreatedAt.UTC(), x.ReviewedAt.UTC(), y.CreatedAt.UTC(), y.ReviewedAt.UTC()
	return reflect.DeepEqual(x, y)
}
