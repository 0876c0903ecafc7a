package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// Signatures and templates, as Chinese operators require (docs/api.md).
//
// A sending unit — an account, or an organisation whose accounts below it
// inherit — registers signatures (【中国邮政】) and templates with variables
// ("{name}，您的包裹已到"); a platform administrator approves or rejects them.
// A business type says whether free text is allowed (template_required),
// where the unit's approved signature goes (none, prefix, suffix) and what
// unsubscribe text follows the message (回T退订). Accept composes
//
//	[prefix signature] text-or-filled-template [unsubscribe text] [suffix signature]
//
// per message, and that composed text is what the content filter checks,
// what is counted in segments and priced, and what is sent.
//
// The hot path reads an in-memory snapshot of every signature and template.
// Every store write raises one version number: a node reloads when its own
// administrators change something, checks the version in the background at
// most once a second while it accepts, and checks it before refusing for a
// missing or unapproved signature or template, so an approval made on
// another node is honoured at once and a withdrawal within about a second.

// tmplState is the core's cache of signatures and templates; the zero
// value is ready (loaded at first use).
type tmplState struct {
	snap      atomic.Pointer[tmplSnap]
	loadMu    sync.Mutex   // one load at a time, so snapshots never go back
	checkedAt atomic.Int64 // unix nanos of the last version check
	checking  atomic.Bool  // a background version check is running
}

// owner is who a signature or template belongs to: an account or an
// organisation (the other id is 0).
type owner struct{ account, org int64 }

type tmplSnap struct {
	version int64
	sigs    map[owner][]*store.Signature // by id
	byID    map[int64]*parsedTemplate
	byCode  map[owner]map[string]*parsedTemplate
}

// parsedTemplate is a template with its text cut at the variables.
type parsedTemplate struct {
	*store.Template
	parts []tmplPart
	vars  []string // names in order of first use
}

type tmplPart struct {
	lit  string
	name string // a variable when not ""
}

// Limits of what units register.
const (
	maxTemplateChars   = 500
	maxVariableChars   = 32
	maxUnsubscribeText = 20
)

// ---- the snapshot ----

// templates returns the current snapshot, loading it the first time, and
// starts a background version check when the last is a second old.
func (c *Core) templates(ctx context.Context) (*tmplSnap, error) {
	if s := c.tpl.snap.Load(); s != nil {
		now := time.Now().UnixNano()
		if last := c.tpl.checkedAt.Load(); now-last > int64(time.Second) && c.tpl.checking.CompareAndSwap(false, true) {
			go func() {
				defer c.tpl.checking.Store(false)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if _, err := c.refreshTemplates(ctx); err != nil {
					c.log.Warn("templates: version check failed", "err", err)
				}
			}()
		}
		return s, nil
	}
	if err := c.loadTemplates(ctx); err != nil {
		return nil, err
	}
	return c.tpl.snap.Load(), nil
}

// refreshTemplates reloads the snapshot if the store's version moved; it
// reports whether it did.
func (c *Core) refreshTemplates(ctx context.Context) (bool, error) {
	v, err := c.st.TemplatesVersion(ctx)
	if err != nil {
		return false, fmt.Errorf("core: templates version: %w", err)
	}
	c.tpl.checkedAt.Store(time.Now().UnixNano())
	if s := c.tpl.snap.Load(); s != nil && s.version == v {
		return false, nil
	}
	return true, c.loadTemplates(ctx)
}

// loadTemplates reads every signature and template into a new snapshot.
// The version is read first: a write racing the load makes the next check
// load again rather than keep a snapshot older than its version says.
func (c *Core) loadTemplates(ctx context.Context) error {
	c.tpl.loadMu.Lock()
	defer c.tpl.loadMu.Unlock()
	v, err := c.st.TemplatesVersion(ctx)
	if err != nil {
		return fmt.Errorf("core: templates version: %w", err)
	}
	if s := c.tpl.snap.Load(); s != nil && s.version == v {
		return nil
	}
	sigs, err := c.st.Signatures(ctx)
	if err != nil {
		return fmt.Errorf("core: load signatures: %w", err)
	}
	tps, err := c.st.Templates(ctx)
	if err != nil {
		return fmt.Errorf("core: load templates: %w", err)
	}
	s := &tmplSnap{version: v, sigs: map[owner][]*store.Signature{}, byID: map[int64]*parsedTemplate{},
		byCode: map[owner]map[string]*parsedTemplate{}}
	for _, sg := range sigs {
		o := owner{sg.AccountID, sg.OrgID}
		s.sigs[o] = append(s.sigs[o], sg)
	}
	for _, t := range tps {
		parts, vars, err := parseTemplate(t.Text)
		if err != nil { // stored texts were checked; keep going without this one
			c.log.Warn("templates: skipping an unreadable template", "id", t.ID, "err", err)
			continue
		}
		p := &parsedTemplate{Template: t, parts: parts, vars: vars}
		s.byID[t.ID] = p
		o := owner{t.AccountID, t.OrgID}
		if s.byCode[o] == nil {
			s.byCode[o] = map[string]*parsedTemplate{}
		}
		s.byCode[o][t.Code] = p
	}
	c.tpl.snap.Store(s)
	c.tpl.checkedAt.Store(time.Now().UnixNano())
	return nil
}

// owners lists whose signatures and templates an account may use, nearest
// first: its own, then (a unit account) its organisation's and those of
// every organisation above it. A partner is managed by an organisation, not
// part of it: only its own.
func (c *Core) owners(acc *store.Account) []owner {
	out := []owner{{account: acc.ID}}
	if acc.Kind == store.KindPartner || acc.OrgID == 0 {
		return out
	}
	chain := c.biz.snap.Load().chain(acc.OrgID)
	if len(chain) == 0 {
		chain = []int64{acc.OrgID} // an organisation the snapshot has not seen yet
	}
	for _, id := range chain {
		out = append(out, owner{org: id})
	}
	return out
}

// ---- accept ----

// templateRefusal reports whether err is a refusal a stale snapshot could
// have caused (something approved or registered on another node).
func templateRefusal(err error) bool {
	var ce *Error
	if !errors.As(err, &ce) {
		return false
	}
	switch ce.Code {
	case "unknown_template", "template_not_approved", "no_signature", "signature_not_approved":
		return true
	}
	return false
}

// requestTemplate finds the template a request names (nil when it names
// none): by id, or by code among the account's own and then its
// organisations', nearest first. Accept calls it before anything else, as
// the template names the business type when the request does not.
func (c *Core) requestTemplate(ctx context.Context, acc *store.Account, req *SendRequest) (*parsedTemplate, error) {
	if req.Template == "" || req.system {
		return nil, nil
	}
	s, err := c.templates(ctx)
	if err != nil {
		return nil, err
	}
	t, err := c.findTemplate(s, acc, req.Template)
	if templateRefusal(err) {
		if changed, rerr := c.refreshTemplates(ctx); rerr == nil && changed {
			t, err = c.findTemplate(c.tpl.snap.Load(), acc, req.Template)
		}
	}
	return t, err
}

func (c *Core) findTemplate(s *tmplSnap, acc *store.Account, ref string) (*parsedTemplate, error) {
	ref = strings.TrimSpace(ref)
	owners := c.owners(acc)
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
		if t := s.byID[n]; t != nil && slices.Contains(owners, owner{t.AccountID, t.OrgID}) {
			return t, nil
		}
	}
	for _, o := range owners {
		if t := s.byCode[o][ref]; t != nil {
			return t, nil
		}
	}
	return nil, refuse(http.StatusBadRequest, "unknown_template",
		"template %q is not a template of account %s or of its organisations (GET /api/v1/templates lists the approved ones)", ref, acc.Name)
}

// text is one composed message text, measured.
type text struct {
	content string
	segs    int
	coding  sms.Coding
}

// texts are what accept sends: one text for every number, or one per
// number (a template with per-recipient variables).
type texts struct {
	one      text
	per      []text   // aligned with the request's numbers; nil = one for all
	distinct []string // every different text once, for the content filter
}

// at is number i's text, its segments and coding.
func (t *texts) at(i int) (string, int, sms.Coding) {
	x := t.one
	if t.per != nil {
		x = t.per[i]
	}
	return x.content, x.segs, x.coding
}

// composeTexts builds and checks the text of every message: the request's
// free text or its template filled with the variables, the signature and
// the unsubscribe text its business type asks for. Each text is checked
// as accept always checked the one text (empty_content, content_too_long,
// invalid_content). A refusal for a missing or unapproved signature or
// template is tried once more on a fresh snapshot before it is given.
func (c *Core) composeTexts(ctx context.Context, acc *store.Account, bt *store.BusinessType, tpl *parsedTemplate, req *SendRequest) (*texts, error) {
	if req.system { // the platform's own messages go as written
		return c.measureTexts(bt, []string{req.Content}, nil)
	}
	// A plain request (no template, no signature to add or name) needs no
	// snapshot: the common case costs nothing more than before.
	var s *tmplSnap
	if tpl != nil || req.Signature != "" || bt.Signature == store.SignaturePrefix || bt.Signature == store.SignatureSuffix {
		var err error
		if s, err = c.templates(ctx); err != nil {
			return nil, err
		}
	}
	bodies, err := c.composeWith(s, acc, bt, tpl, req)
	if templateRefusal(err) {
		if changed, rerr := c.refreshTemplates(ctx); rerr == nil && changed {
			s = c.tpl.snap.Load()
			if tpl != nil && s.byID[tpl.ID] != nil {
				tpl = s.byID[tpl.ID]
			}
			bodies, err = c.composeWith(s, acc, bt, tpl, req)
		}
	}
	if err != nil {
		var ce *Error
		if errors.As(err, &ce) && (ce.Code == "template_required" || templateRefusal(err)) {
			c.m.refused.WithLabelValues(ce.Code).Inc()
			c.recordRefusals(ctx, store.Refusal{AccountID: acc.ID, Business: bt.Code, Kind: ce.Code, Detail: ce.Message, At: c.now()})
		}
		return nil, err
	}
	if len(bodies) == 1 {
		return c.measureTexts(bt, bodies, nil)
	}
	return c.measureTexts(bt, bodies, req.To)
}

// composeWith composes on one snapshot: one text, or one per number.
func (c *Core) composeWith(s *tmplSnap, acc *store.Account, bt *store.BusinessType, tpl *parsedTemplate, req *SendRequest) ([]string, error) {
	k := &composer{c: c, s: s, acc: acc, bt: bt}
	if s != nil { // only a template or a signature needs the owners
		k.owners = c.owners(acc)
	}
	if req.Signature != "" {
		if bt.Signature == store.SignatureNone || bt.Signature == "" {
			return nil, refuse(http.StatusBadRequest, "invalid_request",
				"business type %s adds no signature (its signature setting is none); leave out \"signature\"", bt.Code)
		}
		sg, err := k.named(req.Signature)
		if err != nil {
			return nil, err
		}
		k.explicit = sg
	}
	if tpl == nil {
		if req.Variables != nil || req.PerRecipient != nil {
			return nil, refuse(http.StatusBadRequest, "invalid_request", "variables are for a template: name one with \"template\"")
		}
		if bt.TemplateRequired {
			return nil, refuse(http.StatusUnprocessableEntity, "template_required",
				"business type %s sends only approved templates: free text is refused; send \"template\" (its id or code) with its \"variables\" (GET /api/v1/templates lists yours)", bt.Code)
		}
		if strings.TrimSpace(req.Content) == "" {
			return nil, refuse(http.StatusBadRequest, "empty_content", "content is empty")
		}
		out, err := k.compose(req.Content)
		if err != nil {
			return nil, err
		}
		return []string{out}, nil
	}
	if req.Content != "" {
		return nil, refuse(http.StatusBadRequest, "invalid_request", "give \"content\" or \"template\", not both")
	}
	if tpl.Business != bt.Code {
		return nil, refuse(http.StatusUnprocessableEntity, "template_business_mismatch",
			"template %s is for business type %s, not %s (leave out \"business\" to use the template's)", tpl.Code, tpl.Business, bt.Code)
	}
	switch tpl.State {
	case store.ReviewApproved:
	case store.ReviewRejected:
		return nil, refuse(http.StatusUnprocessableEntity, "template_not_approved",
			"template %s (id %d) was rejected by a platform administrator: %s", tpl.Code, tpl.ID, tpl.Reason)
	default:
		return nil, refuse(http.StatusUnprocessableEntity, "template_not_approved",
			"template %s (id %d) is %s: a platform administrator has not approved it yet", tpl.Code, tpl.ID, tpl.State)
	}
	if req.PerRecipient != nil && len(req.PerRecipient) != len(req.To) {
		return nil, refuse(http.StatusBadRequest, "invalid_request", "%d sets of variables for %d numbers", len(req.PerRecipient), len(req.To))
	}
	if req.PerRecipient == nil {
		body, err := fillTemplate(tpl, req.Variables, nil, -1, "")
		if err != nil {
			return nil, err
		}
		out, err := k.compose(body)
		if err != nil {
			return nil, err
		}
		return []string{out}, nil
	}
	out := make([]string, len(req.To))
	seen := map[string]string{} // filled body → composed text: signatures are checked once per different body
	for i := range req.To {
		body, err := fillTemplate(tpl, req.Variables, req.PerRecipient[i], i, req.To[i])
		if err != nil {
			return nil, err
		}
		if done, ok := seen[body]; ok {
			out[i] = done
			continue
		}
		if out[i], err = k.compose(body); err != nil {
			return nil, err
		}
		seen[body] = out[i]
	}
	return out, nil
}

// measureTexts counts and checks each different text once. numbers, when
// given, name the recipient of a text in a refusal (per-recipient texts).
func (c *Core) measureTexts(bt *store.BusinessType, bodies []string, numbers []string) (*texts, error) {
	limit := c.cfg.MaxSegments
	if bt.MaxSegments > 0 {
		limit = bt.MaxSegments
	}
	composed := bt.Signature == store.SignaturePrefix || bt.Signature == store.SignatureSuffix || bt.UnsubscribeText != ""
	out := &texts{}
	memo := map[string]text{}
	for i, body := range bodies {
		x, ok := memo[body]
		if !ok {
			whose := ""
			if numbers != nil {
				whose = fmt.Sprintf(" (recipient %d, %s)", i+1, numbers[i])
			}
			if strings.TrimSpace(body) == "" {
				return nil, refuse(http.StatusBadRequest, "empty_content", "content is empty%s", whose)
			}
			segs, coding := sms.Count(body)
			if segs > limit {
				with := ""
				if composed {
					with = " with the signature and unsubscribe text"
				}
				return nil, refuse(http.StatusBadRequest, "content_too_long", "content%s needs %d segments (%s)%s; the limit is %d", whose, segs, coding, with, limit)
			}
			if _, err := sms.Encode(body, coding); err != nil {
				return nil, refuse(http.StatusBadRequest, "invalid_content", "content%s cannot be encoded: %v", whose, err)
			}
			x = text{content: body, segs: segs, coding: coding}
			memo[body] = x
			out.distinct = append(out.distinct, body)
		}
		if numbers == nil {
			out.one = x
			continue
		}
		if out.per == nil {
			out.per = make([]text, len(bodies))
		}
		out.per[i] = x
	}
	return out, nil
}

// composer adds a business type's signature and unsubscribe text to the
// texts of one request.
type composer struct {
	c        *Core
	s        *tmplSnap
	acc      *store.Account
	bt       *store.BusinessType
	owners   []owner
	explicit *store.Signature // the request's "signature"
	def      *store.Signature // the default, once found
}

// compose is body with the signature and unsubscribe text. A text that
// already starts or ends with a 【…】 signature keeps it where it is — it
// must then be an approved signature of the unit — and gets none added;
// the unsubscribe text goes before a closing signature, and is not added
// to a text that has it already.
func (k *composer) compose(body string) (string, error) {
	placement := k.bt.Signature
	if placement != store.SignaturePrefix && placement != store.SignatureSuffix {
		placement = store.SignatureNone
	}
	unsub := k.bt.UnsubscribeText
	if placement == store.SignatureNone && unsub == "" {
		return body, nil
	}
	lead, mid, trail := splitSignatures(body)
	if placement != store.SignatureNone {
		if lead != "" || trail != "" {
			for _, carried := range []string{lead, trail} {
				if carried == "" {
					continue
				}
				if err := k.carried(carried); err != nil {
					return "", err
				}
			}
		} else {
			sg := k.explicit
			if sg == nil {
				var err error
				if sg, err = k.defaultSignature(); err != nil {
					return "", err
				}
			}
			if placement == store.SignaturePrefix {
				lead = sg.Text
			} else {
				trail = sg.Text
			}
		}
	}
	if unsub != "" && !strings.Contains(mid, unsub) {
		mid = strings.TrimRightFunc(mid, unicode.IsSpace) + unsub
	}
	return lead + mid + trail, nil
}

// carried checks a signature the text itself carries.
func (k *composer) carried(text string) error {
	if k.explicit != nil && k.explicit.Text != text {
		return refuse(http.StatusBadRequest, "invalid_request",
			"the text carries the signature %s but the request names %s: give one of them", text, k.explicit.Text)
	}
	_, err := k.named(text)
	return err
}

// named finds an approved signature the account may use by its text (with
// or without brackets) or id.
func (k *composer) named(ref string) (*store.Signature, error) {
	ref = strings.TrimSpace(ref)
	id, _ := strconv.ParseInt(ref, 10, 64)
	want := bracketed(ref)
	var found *store.Signature
	for _, o := range k.owners {
		for _, sg := range k.s.sigs[o] {
			if sg.ID != id && sg.Text != want {
				continue
			}
			if sg.State == store.ReviewApproved {
				return sg, nil
			}
			if found == nil {
				found = sg
			}
		}
	}
	if found != nil {
		return nil, signatureNotApproved(found)
	}
	return nil, refuse(http.StatusUnprocessableEntity, "signature_not_approved",
		"%s is not a registered signature of account %s or of its organisations: register it (POST /api/v1/admin/signatures) and have a platform administrator approve it",
		want, k.acc.Name)
}

// defaultSignature is the nearest owner's approved default signature, or
// its first approved one (a new default waiting for approval does not stop
// the one approved before).
func (k *composer) defaultSignature() (*store.Signature, error) {
	if k.def != nil {
		return k.def, nil
	}
	var waiting *store.Signature
	for _, o := range k.owners {
		var first *store.Signature
		for _, sg := range k.s.sigs[o] {
			if sg.State != store.ReviewApproved {
				if waiting == nil {
					waiting = sg
				}
				continue
			}
			if sg.Default {
				first = sg
				break
			}
			if first == nil {
				first = sg
			}
		}
		if first != nil {
			k.def = first
			return first, nil
		}
	}
	if waiting != nil {
		return nil, signatureNotApproved(waiting)
	}
	whose := "account " + k.acc.Name
	if len(k.owners) > 1 {
		whose += " and its organisations"
	}
	return nil, refuse(http.StatusUnprocessableEntity, "no_signature",
		"business type %s puts the sending unit's signature %s the text, and %s have no approved signature: register one (POST /api/v1/admin/signatures) and have a platform administrator approve it",
		k.bt.Code, map[string]string{store.SignaturePrefix: "before", store.SignatureSuffix: "after"}[k.bt.Signature], whose)
}

func signatureNotApproved(sg *store.Signature) error {
	if sg.State == store.ReviewRejected {
		return refuse(http.StatusUnprocessableEntity, "signature_not_approved",
			"the signature %s (id %d) was rejected by a platform administrator: %s", sg.Text, sg.ID, sg.Reason)
	}
	return refuse(http.StatusUnprocessableEntity, "signature_not_approved",
		"the signature %s (id %d) is %s: a platform administrator has not approved it yet", sg.Text, sg.ID, sg.State)
}

// splitSignatures cuts a 【…】 signature off the start and the end of a
// text (a text that is one bracket has it at the start only).
func splitSignatures(body string) (lead, mid, trail string) {
	mid = body
	if strings.HasPrefix(mid, "【") {
		if end := strings.Index(mid, "】"); end > 0 {
			lead, mid = mid[:end+len("】")], mid[end+len("】"):]
		}
	}
	if strings.HasSuffix(mid, "】") {
		if start := strings.LastIndex(mid, "【"); start >= 0 {
			trail, mid = mid[start:], mid[:start]
		}
	}
	return lead, mid, trail
}

// bracketed puts a signature in 【】 unless it has them.
func bracketed(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "【") && strings.HasSuffix(s, "】") {
		return s
	}
	return "【" + s + "】"
}

// fillTemplate puts the variables into a template: a recipient's own
// (per, when not nil) before the shared ones. i and number name the
// recipient in a refusal (i < 0: the shared variables).
func fillTemplate(t *parsedTemplate, shared, per map[string]string, i int, number string) (string, error) {
	var b strings.Builder
	for _, p := range t.parts {
		if p.name == "" {
			b.WriteString(p.lit)
			continue
		}
		v, ok := per[p.name]
		if !ok {
			v, ok = shared[p.name]
		}
		if !ok {
			if i < 0 {
				return "", refuse(http.StatusBadRequest, "missing_variable",
					"template %s needs the variable {%s}: give it in \"variables\" (the template uses %s)", t.Code, p.name, varList(t.vars))
			}
			return "", refuse(http.StatusBadRequest, "missing_variable",
				"template %s needs the variable {%s}, which recipient %d (%s) lacks (the template uses %s)", t.Code, p.name, i+1, number, varList(t.vars))
		}
		if strings.ContainsAny(v, "【】") {
			whose := ""
			if i >= 0 {
				whose = fmt.Sprintf(" of recipient %d (%s)", i+1, number)
			}
			return "", refuse(http.StatusBadRequest, "invalid_variable",
				"the variable {%s}%s contains 【 or 】: a value cannot carry a signature", p.name, whose)
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

func varList(vars []string) string {
	if len(vars) == 0 {
		return "no variables"
	}
	return "{" + strings.Join(vars, "}, {") + "}"
}

// ---- what units register ----

// parseTemplate cuts a template's text at its variables: {name}, where a
// name is 1 to 32 letters (Chinese too), digits or underscores, not
// starting with a digit. Braces must pair up; there is no escape.
func parseTemplate(s string) (parts []tmplPart, vars []string, err error) {
	rest := s
	for rest != "" {
		open := strings.IndexAny(rest, "{}")
		if open < 0 {
			parts = append(parts, tmplPart{lit: rest})
			break
		}
		if rest[open] == '}' {
			return nil, nil, fmt.Errorf("a } at character %d closes no {", utf8.RuneCountInString(s[:len(s)-len(rest)+open])+1)
		}
		if open > 0 {
			parts = append(parts, tmplPart{lit: rest[:open]})
		}
		closing := strings.IndexAny(rest[open+1:], "{}")
		at := utf8.RuneCountInString(s[:len(s)-len(rest)+open]) + 1
		if closing < 0 || rest[open+1+closing] == '{' {
			return nil, nil, fmt.Errorf("the { at character %d is not closed by a }", at)
		}
		name := rest[open+1 : open+1+closing]
		if !validVariable(name) {
			return nil, nil, fmt.Errorf("{%s} at character %d: a variable name is 1 to %d letters, digits or _, not starting with a digit", name, at, maxVariableChars)
		}
		parts = append(parts, tmplPart{name: name})
		if !slices.Contains(vars, name) {
			vars = append(vars, name)
		}
		rest = rest[open+1+closing+1:]
	}
	return parts, vars, nil
}

func validVariable(name string) bool {
	if name == "" || utf8.RuneCountInString(name) > maxVariableChars {
		return false
	}
	for i, r := range name {
		if !(unicode.IsLetter(r) || r == '_' || (i > 0 && unicode.IsDigit(r))) {
			return false
		}
	}
	return true
}

// TemplateVariables lists the variables of a template's text (nil if the
// text does not parse).
func TemplateVariables(text string) []string {
	_, vars, err := parseTemplate(text)
	if err != nil {
		return nil
	}
	return vars
}

// forbidden returns the first forbidden word in text and the matched part.
func (c *Core) forbidden(text string) (word, at string, hit bool) {
	h, ok := c.rules.filter.Load().Check(text)
	if !ok {
		return "", "", false
	}
	return h.Rule.Word, text[h.Start:h.End], true
}

// CheckSignature validates a signature's text and returns it as stored,
// in 【】 (given with or without them): 2 to 20 letters (Chinese too),
// digits or the marks · - _ & ( ) （ ）, and no forbidden word. Refusals
// are *Error with code invalid_signature.
func (c *Core) CheckSignature(text string) (string, error) {
	t := strings.TrimSpace(text)
	inner := strings.TrimSuffix(strings.TrimPrefix(t, "【"), "】")
	bad := func(format string, args ...any) error {
		return refuse(http.StatusBadRequest, "invalid_signature", "signature %q: "+format, append([]any{text}, args...)...)
	}
	if strings.HasPrefix(t, "【") != strings.HasSuffix(t, "】") {
		return "", bad("the brackets 【 】 must enclose the whole signature, e.g. 【中国邮政】")
	}
	if n := utf8.RuneCountInString(inner); n < 2 || n > 20 {
		return "", bad("%d characters between the brackets; a signature has 2 to 20", n)
	}
	allDigits := true
	for _, r := range inner {
		switch {
		case unicode.IsLetter(r):
			allDigits = false
		case unicode.IsDigit(r):
		case strings.ContainsRune("·-_&()（）", r):
			allDigits = false
		default:
			return "", bad("%q is not allowed: letters, digits and · - _ & ( ) only", r)
		}
	}
	if allDigits {
		return "", bad("a signature names the sender: it cannot be only digits")
	}
	if w, at, hit := c.forbidden(inner); hit {
		return "", bad("it contains the forbidden word %q (%q)", w, at)
	}
	return "【" + inner + "】", nil
}

// CheckTemplate validates a template (code, business type, text) and
// normalises it in place. Refusals are *Error with code invalid_template
// or unknown_business.
func (c *Core) CheckTemplate(t *store.Template) error {
	t.Code, t.Business = strings.TrimSpace(t.Code), strings.TrimSpace(t.Business)
	bad := func(format string, args ...any) error {
		return refuse(http.StatusBadRequest, "invalid_template", "template %q: "+format, append([]any{t.Code}, args...)...)
	}
	if t.Code == "" || utf8.RuneCountInString(t.Code) > 32 || strings.ContainsFunc(t.Code, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.", r))
	}) {
		return bad("code must be 1 to 32 letters, digits or - _ . (e.g. parcel_arrived)")
	}
	if _, err := strconv.ParseInt(t.Code, 10, 64); err == nil {
		return bad("code cannot be a number: requests name a template by id or code")
	}
	if t.Business == "" {
		return bad("business is required: the business type the template is for")
	}
	if c.caches.business(t.Business) == nil {
		return refuse(http.StatusBadRequest, "unknown_business", "business type %q does not exist", t.Business)
	}
	if strings.TrimSpace(t.Text) == "" {
		return bad("text is empty")
	}
	if n := utf8.RuneCountInString(t.Text); n > maxTemplateChars {
		return bad("text has %d characters; a template has at most %d", n, maxTemplateChars)
	}
	parts, _, err := parseTemplate(t.Text)
	if err != nil {
		return bad("%v", err)
	}
	var lit strings.Builder // the text without its variables: a word split by one is still found
	for _, p := range parts {
		lit.WriteString(p.lit)
	}
	if strings.TrimSpace(lit.String()) == "" {
		return bad("a template needs text of its own, not only variables")
	}
	if w, at, hit := c.forbidden(lit.String()); hit {
		return bad("it contains the forbidden word %q (%q)", w, at)
	}
	return nil
}

// checkBusinessTemplates validates a business type's template settings
// (called by CheckBusinessType) and normalises them in place.
func checkBusinessTemplates(b *store.BusinessType, bad func(string, ...any) error) error {
	b.Signature = strings.TrimSpace(b.Signature)
	if b.Signature == "" {
		b.Signature = store.SignatureNone
	}
	if !store.ValidSignaturePlacement(b.Signature) {
		return bad("signature %q: want none, prefix or suffix (where the sending unit's signature goes)", b.Signature)
	}
	b.UnsubscribeText = strings.TrimSpace(b.UnsubscribeText)
	if utf8.RuneCountInString(b.UnsubscribeText) > maxUnsubscribeText {
		return bad("unsubscribe_text is longer than %d characters", maxUnsubscribeText)
	}
	if strings.ContainsAny(b.UnsubscribeText, "【】{}") {
		return bad("unsubscribe_text cannot contain 【 】 { }")
	}
	return nil
}

// ---- administration ----

// Signatures lists every signature, read from the store.
func (c *Core) Signatures(ctx context.Context) ([]*store.Signature, error) {
	return c.st.Signatures(ctx)
}

// Signature reads one (store.ErrNotFound).
func (c *Core) Signature(ctx context.Context, id int64) (*store.Signature, error) {
	return c.st.GetSignature(ctx, id)
}

// CreateSignature validates and registers a signature, pending approval.
func (c *Core) CreateSignature(ctx context.Context, sg *store.Signature) error {
	text, err := c.CheckSignature(sg.Text)
	if err != nil {
		return err
	}
	sg.Text, sg.State, sg.Reason, sg.ReviewedBy, sg.ReviewedAt = text, store.ReviewPending, "", "", time.Time{}
	if sg.CreatedAt.IsZero() {
		sg.CreatedAt = c.now()
	}
	if err := c.st.CreateSignature(ctx, sg); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return refuse(http.StatusConflict, "duplicate", "%s is registered for this owner already", sg.Text)
		}
		return fmt.Errorf("core: create signature: %w", err)
	}
	return c.loadTemplates(ctx)
}

// ReviewSignature approves a signature or rejects it with a reason,
// live at once; sg is changed in place and stored.
func (c *Core) ReviewSignature(ctx context.Context, sg *store.Signature, approve bool, reason, reviewer string) error {
	if err := review(&sg.State, &sg.Reason, &sg.ReviewedBy, &sg.ReviewedAt, approve, reason, reviewer, c.now()); err != nil {
		return err
	}
	if err := c.st.UpdateSignature(ctx, sg); err != nil {
		return fmt.Errorf("core: review signature %d: %w", sg.ID, err)
	}
	return c.loadTemplates(ctx)
}

// SetSignatureDefault makes sg its owner's default signature (the others
// stop being it), live at once.
func (c *Core) SetSignatureDefault(ctx context.Context, sg *store.Signature) error {
	sg.Default = true
	if err := c.st.UpdateSignature(ctx, sg); err != nil {
		return fmt.Errorf("core: default signature %d: %w", sg.ID, err)
	}
	return c.loadTemplates(ctx)
}

// DeleteSignature removes a signature; messages stop using it at once.
func (c *Core) DeleteSignature(ctx context.Context, id int64) error {
	if err := c.st.DeleteSignature(ctx, id); err != nil {
		return fmt.Errorf("core: delete signature %d: %w", id, err)
	}
	return c.loadTemplates(ctx)
}

// Templates lists every template, read from the store.
func (c *Core) Templates(ctx context.Context) ([]*store.Template, error) {
	return c.st.Templates(ctx)
}

// Template reads one (store.ErrNotFound).
func (c *Core) Template(ctx context.Context, id int64) (*store.Template, error) {
	return c.st.GetTemplate(ctx, id)
}

// CreateTemplate validates and registers a template, pending approval.
func (c *Core) CreateTemplate(ctx context.Context, t *store.Template) error {
	if err := c.CheckTemplate(t); err != nil {
		return err
	}
	t.State, t.Reason, t.ReviewedBy, t.ReviewedAt = store.ReviewPending, "", "", time.Time{}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = c.now()
	}
	if err := c.st.CreateTemplate(ctx, t); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return refuse(http.StatusConflict, "duplicate", "template code %q is taken for this owner", t.Code)
		}
		return fmt.Errorf("core: create template: %w", err)
	}
	return c.loadTemplates(ctx)
}

// ReviewTemplate approves a template or rejects it with a reason, live at
// once; t is changed in place and stored.
func (c *Core) ReviewTemplate(ctx context.Context, t *store.Template, approve bool, reason, reviewer string) error {
	if err := review(&t.State, &t.Reason, &t.ReviewedBy, &t.ReviewedAt, approve, reason, reviewer, c.now()); err != nil {
		return err
	}
	if err := c.st.UpdateTemplate(ctx, t); err != nil {
		return fmt.Errorf("core: review template %d: %w", t.ID, err)
	}
	return c.loadTemplates(ctx)
}

// DeleteTemplate removes a template; requests naming it are refused at once.
func (c *Core) DeleteTemplate(ctx context.Context, id int64) error {
	if err := c.st.DeleteTemplate(ctx, id); err != nil {
		return fmt.Errorf("core: delete template %d: %w", id, err)
	}
	return c.loadTemplates(ctx)
}

func review(state, reason, by *string, at *time.Time, approve bool, why, reviewer string, now time.Time) error {
	why = strings.TrimSpace(why)
	if approve {
		*state, *reason = store.ReviewApproved, ""
	} else {
		if why == "" {
			return refuse(http.StatusBadRequest, "invalid_request", "a rejection needs a reason (\"reason\"), which the unit is shown")
		}
		if utf8.RuneCountInString(why) > 200 {
			return refuse(http.StatusBadRequest, "invalid_request", "the reason is longer than 200 characters")
		}
		*state, *reason = store.ReviewRejected, why
	}
	*by, *at = reviewer, now
	return nil
}

// UsableTemplates lists the approved templates an account may use, its own
// first, then its organisations' (nearest first), each by id.
func (c *Core) UsableTemplates(ctx context.Context, acc *store.Account) ([]*store.Template, error) {
	if _, err := c.refreshTemplates(ctx); err != nil {
		return nil, err
	}
	s := c.tpl.snap.Load()
	var out []*store.Template
	for _, o := range c.owners(acc) {
		var mine []*store.Template
		for _, t := range s.byCode[o] {
			if t.State == store.ReviewApproved {
				mine = append(mine, t.Template)
			}
		}
		slices.SortFunc(mine, func(a, b *store.Template) int { return int(a.ID - b.ID) })
		out = append(out, mine...)
	}
	return out, nil
}

// UsableSignatures lists the approved signatures an account may use, its
// own first, and the one its messages carry by default (nil: none).
func (c *Core) UsableSignatures(ctx context.Context, acc *store.Account) (all []*store.Signature, def *store.Signature, err error) {
	if _, err := c.refreshTemplates(ctx); err != nil {
		return nil, nil, err
	}
	k := &composer{c: c, s: c.tpl.snap.Load(), acc: acc, owners: c.owners(acc), bt: &store.BusinessType{}}
	for _, o := range k.owners {
		for _, sg := range k.s.sigs[o] {
			if sg.State == store.ReviewApproved {
				all = append(all, sg)
			}
		}
	}
	def, _ = k.defaultSignature()
	return all, def, nil
}
