package web

import (
	"context"
	"encoding/json"
	"strconv"

	"hongyan/internal/store"
)

// Changes to shared groups are administrative changes of an organisation's
// data: each writes an audit entry (object contact_group, the group's
// organisation) in the change's own transaction (store.WithAudit), except
// an import, which is many transactions and writes one entry when it ends.
// Personal groups are their owner's notebook and are not audited.

const auditGroup = "contact_group"

// bookAudited returns ctx carrying the audit entry of a change to g (ctx
// itself for a personal group). before and after are the states changed
// (nil: none); the group's id is read when the change is written, so a new
// group's is known.
func bookAudited(ctx context.Context, sess session, g *store.ContactGroup, action string, before, after any) context.Context {
	if !g.Shared() {
		return ctx
	}
	e := &store.AuditEntry{UserID: sess.userID, Username: sess.username, Action: action, Object: auditGroup, OrgID: g.OrgID,
		Before: auditJSON(before), After: auditJSON(after)}
	return store.WithAudit(ctx, e, func(e *store.AuditEntry) { e.ObjectID = strconv.FormatInt(g.ID, 10) })
}

// auditJSON is v as the audit log keeps it ("" for nil).
func auditJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return `{"error":"unrepresentable"}`
	}
	return string(b)
}

// groupState is a group as its audit entries show it.
func groupState(g *store.ContactGroup) map[string]any {
	return map[string]any{"name": g.Name, "note": g.Note, "contacts": g.Contacts}
}

// contactState is a contact as the audit entries show it.
func contactState(g *store.ContactGroup, c *store.Contact) map[string]any {
	st := map[string]any{"group": g.Name, "number": c.Number, "name": c.Name, "note": c.Note}
	if len(c.Fields) > 0 {
		st["fields"] = c.Fields
	}
	return st
}
