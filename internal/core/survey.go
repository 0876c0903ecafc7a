package core

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"hongyan/internal/store"
)

// Customer information by SMS (MISSION A9): an organisation configures a
// survey keyword (store.Survey), and a user who replies "DC 张三 教师 35
// 5000-10000" to an account of that organisation, or of one below it, gets
// a customer record of the organisation (created, or updated by phone). The
// record is durable before the MO is acknowledged, and the user is thanked
// with a free message from the number they wrote to.

// DefaultSurveyReply thanks a user whose details were recorded.
const DefaultSurveyReply = "感谢您的回复，您的信息已登记。"

// surveyTTL is how long the survey keywords are cached: an MO reads them
// at most this often; a new keyword works within it.
const surveyTTL = 5 * time.Second

type surveyCache struct {
	mu   sync.Mutex
	at   time.Time
	list []*store.Survey
}

// surveys returns the keywords, read again when older than surveyTTL.
func (c *Core) surveys(ctx context.Context) ([]*store.Survey, error) {
	sc := &c.survey
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.list != nil && time.Since(sc.at) < surveyTTL {
		return sc.list, nil
	}
	l, err := c.st.Surveys(ctx)
	if err != nil {
		return nil, fmt.Errorf("core: survey keywords: %w", err)
	}
	if l == nil {
		l = []*store.Survey{}
	}
	sc.list, sc.at = l, time.Now()
	return l, nil
}

// ForgetSurveys makes the next MO read the survey keywords again (after a change).
func (c *Core) ForgetSurveys() {
	c.survey.mu.Lock()
	c.survey.list = nil
	c.survey.mu.Unlock()
}

// surveyFor finds the survey of keyword for an account: its organisation's,
// else the nearest one up the tree's (a platform-level survey, org 0, for
// accounts without an organisation).
func (c *Core) surveyFor(ctx context.Context, acc *store.Account, keyword string) (*store.Survey, error) {
	l, err := c.surveys(ctx)
	if err != nil || len(l) == 0 || keyword == "" {
		return nil, err
	}
	chain := []int64{0}
	if acc.OrgID != 0 {
		chain = c.biz.snap.Load().chain(acc.OrgID)
	}
	for _, org := range chain {
		for _, sv := range l {
			if sv.OrgID == org && sv.Keyword == keyword {
				return sv, nil
			}
		}
	}
	return nil, nil
}

// ParseSurvey reads the words after a survey keyword: name, occupation,
// age and income band, in that order, separated by spaces or commas. A
// number from 1 to 120 is the age wherever it stands; one with a dash, a
// bigger number or 元/k/w is the income band.
func ParseSurvey(text string) store.Customer {
	var c store.Customer
	words := strings.FieldsFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",，;；、/", r)
	})
	if len(words) > 0 {
		words = words[1:] // the keyword
	}
	var plain []string
	for _, w := range words {
		if a, err := strconv.Atoi(w); err == nil && a > 0 && a <= 120 && c.Age == 0 {
			c.Age = a
			continue
		}
		if strings.IndexFunc(w, unicode.IsDigit) >= 0 {
			if c.Income == "" {
				c.Income = w
			}
			continue
		}
		plain = append(plain, w)
	}
	if len(plain) > 0 {
		c.Name = plain[0]
	}
	if len(plain) > 1 {
		c.Occupation = plain[1]
	}
	return c
}

// surveyMO records the reply of a survey keyword; it returns the survey
// answered (nil: the MO is not a survey reply).
func (c *Core) surveyMO(ctx context.Context, acc *store.Account, mo *store.MO) (*store.Survey, error) {
	if acc == nil {
		return nil, nil
	}
	sv, err := c.surveyFor(ctx, acc, mo.Keyword)
	if sv == nil || err != nil {
		return nil, err
	}
	rec := ParseSurvey(mo.Content)
	rec.OrgID, rec.Phone, rec.Source = sv.OrgID, mo.From, "sms"
	if _, err := c.st.SaveCustomers(ctx, []*store.Customer{&rec}); err != nil {
		return nil, fmt.Errorf("core: survey %s reply from %s: %w", sv.Keyword, mo.From, err)
	}
	c.log.Info("survey reply recorded", "from", mo.From, "keyword", sv.Keyword, "org", sv.OrgID, "customer", rec.ID)
	return sv, nil
}

// confirmSurvey thanks the user, free, from the number they replied to.
func (c *Core) confirmSurvey(ctx context.Context, acc *store.Account, sv *store.Survey, mo *store.MO) {
	if sv == nil || sv.Reply == "-" {
		return
	}
	text := orDefault(sv.Reply, DefaultSurveyReply)
	business := mo.Business
	if business == "" || c.caches.business(business) == nil {
		business = c.cfg.DefaultBusiness
	}
	ext := ""
	if acc.ServiceCode != "" && strings.HasPrefix(mo.To, acc.ServiceCode) {
		ext = mo.To[len(acc.ServiceCode):]
	}
	if _, err := c.Accept(ctx, &SendRequest{AccountID: acc.ID, To: []string{mo.From}, Content: text, Business: business, Ext: ext, system: true}); err != nil {
		c.log.Warn("survey confirmation not sent", "to", mo.From, "keyword", sv.Keyword, "err", err)
	}
}
