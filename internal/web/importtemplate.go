package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// Sending a file (or an address-book group) with an approved template: the
// form offers the account's approved templates (core.UsableTemplates, what
// GET /api/v1/templates lists); the file's columns, by header name, are the
// template's variables; each row's text is composed by the core
// (core.Composer: the template filled, the signature and unsubscribe text
// added) for the report and the preview; the hand-over sends
// SendRequest{Template, PerRecipient} a unit of rows at a time (sendrun.go).

// tmplOpt is one template in the form's select.
type tmplOpt struct {
	ID       string
	Label    string
	Business string
	Selected bool
}

// tmplChoice is the template chosen for an import.
type tmplChoice struct {
	label   string // what the send records as its text
	vars    []string
	compose func(map[string]string) (string, error)
}

// templateOpts lists the approved templates account acc may use.
func (s *Server) templateOpts(ctx context.Context, acc *store.Account, chosen string) []tmplOpt {
	ts := s.templateList(ctx, acc)
	out := make([]tmplOpt, 0, len(ts))
	for _, t := range ts {
		id := strconv.FormatInt(t.ID, 10)
		out = append(out, tmplOpt{ID: id, Label: t.Code + "（" + t.Business + "）：" + t.Text, Business: t.Business, Selected: id == chosen})
	}
	return out
}

// chooseTemplate checks the template a form names (its id) for account acc
// and business type bt, composing it once as a trial so that a refusal
// every row would meet (no signature, a template of another business type)
// is said now; nil after fail was called.
func (s *Server) chooseTemplate(ctx context.Context, acc *store.Account, bt *store.BusinessType, id string, m msgs,
	fail func(status int, key string, args ...any)) *tmplChoice {
	var tpl *store.Template
	for _, o := range s.templateList(ctx, acc) {
		if strconv.FormatInt(o.ID, 10) == id {
			tpl = o
		}
	}
	if tpl == nil {
		fail(http.StatusBadRequest, "refuse.unknown_template")
		return nil
	}
	if tpl.Business != bt.Code {
		fail(http.StatusBadRequest, "imp.err.template_business", tpl.Code, tpl.Business)
		return nil
	}
	compose, vars, err := s.core.Composer(ctx, acc, bt, id)
	if err == nil {
		trial := make(map[string]string, len(vars))
		for _, v := range vars {
			trial[v] = "1"
		}
		_, err = compose(trial)
	}
	if err != nil {
		var ce *core.Error
		if !errors.As(err, &ce) {
			s.log.Error("console: template", "account", acc.ID, "template", id, "err", err)
			fail(http.StatusInternalServerError, "err.internal")
			return nil
		}
		fail(ce.Status, "imp.err.template_refused", refusalText(m, ce.Code), ce.Message)
		return nil
	}
	return &tmplChoice{label: m.Tf("imp.template.label", tpl.Code, tpl.Text), vars: vars, compose: compose}
}

func (s *Server) templateList(ctx context.Context, acc *store.Account) []*store.Template {
	ts, err := s.core.UsableTemplates(ctx, acc)
	if err != nil {
		s.log.Error("console: usable templates", "account", acc.ID, "err", err)
	}
	return ts
}

// checkBulkSend checks what a file import and a group send have in common:
// the account (one of the user's), a business type it may use, a template
// or a text (free text refused where the type requires a template), and a
// time that is not past. On a refusal it calls fail and reports false.
// d.Content is cleared when a template is chosen.
func (s *Server) checkBulkSend(ctx context.Context, so *senderOf, acctID int64, d *sendData, m msgs,
	fail func(status int, key string, args ...any)) (acc *store.Account, bt *store.BusinessType, tc *tmplChoice, at time.Time, ok bool) {
	acc = so.account(acctID)
	if acc == nil || acctID == 0 && len(so.accounts) > 1 {
		fail(http.StatusBadRequest, "send.err.account")
		return nil, nil, nil, at, false
	}
	if types, err := s.core.SendableTypes(ctx, acc.ID); err == nil {
		for _, b := range types {
			if b.Code == d.Business {
				bt = b
			}
		}
	}
	if bt == nil {
		fail(http.StatusForbidden, "send.err.business")
		return nil, nil, nil, at, false
	}
	if d.Template != "" {
		if tc = s.chooseTemplate(ctx, acc, bt, d.Template, m, fail); tc == nil {
			return nil, nil, nil, at, false
		}
		d.Content = ""
	} else if bt.TemplateRequired {
		fail(http.StatusUnprocessableEntity, "refuse.template_required")
		return nil, nil, nil, at, false
	}
	if tc == nil && strings.TrimSpace(d.Content) == "" {
		fail(http.StatusBadRequest, "send.err.empty")
		return nil, nil, nil, at, false
	}
	at, parsed := s.parseSchedule(d.ScheduleAt)
	if !parsed {
		fail(http.StatusBadRequest, "send.err.schedule_format")
		return nil, nil, nil, at, false
	}
	if !at.IsZero() && !at.After(s.opts.Now()) {
		fail(http.StatusBadRequest, "send.err.schedule_past")
		return nil, nil, nil, at, false
	}
	return acc, bt, tc, at, true
}
