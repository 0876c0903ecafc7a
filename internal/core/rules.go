package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"hongyan/internal/biz/blacklist"
	"hongyan/internal/biz/filter"
	"hongyan/internal/sms"
	"hongyan/internal/store"
)

// rules are the business rules every accept checks, held in memory (the
// store keeps the durable copy): the blacklist and the forbidden words.
type rules struct {
	black  *blacklist.Set
	filter filter.Live
}

func newRules() *rules { return &rules{black: blacklist.New()} }

// loadRules reads the blacklist and the word list from the store.
func (c *Core) loadRules(ctx context.Context) error {
	var es []blacklist.Entry
	err := c.st.Blacklist(ctx, func(e store.BlacklistEntry) error {
		es = append(es, blacklist.Entry{Number: e.Number, Business: e.Business})
		return nil
	})
	if err != nil {
		return fmt.Errorf("core: load blacklist: %w", err)
	}
	c.rules.black.Replace(es)
	return c.rebuildFilter(ctx)
}

// rebuildFilter builds a new automaton from the stored words and swaps it
// in; messages being checked meanwhile use the old one.
func (c *Core) rebuildFilter(ctx context.Context) error {
	words, err := c.st.FilterWords(ctx)
	if err != nil {
		return fmt.Errorf("core: load forbidden words: %w", err)
	}
	rs := make([]filter.Rule, len(words))
	for i, w := range words {
		rs[i] = filter.Rule{ID: w.ID, Word: w.Word, Action: filter.Action(w.Action)}
	}
	f, err := filter.New(rs)
	if err != nil {
		return fmt.Errorf("core: build forbidden words: %w", err)
	}
	c.rules.filter.Store(f)
	return nil
}

// checkContent refuses a text with a forbidden word, recording the refusal
// against the account. A text whose words are all review words is not
// refused: they are noted in review (review.go), and the request is held.
func (c *Core) checkContent(ctx context.Context, acc *store.Account, business, text string, review *reviewHits) error {
	f := c.rules.filter.Load()
	hit, ok := f.Check(text)
	if !ok {
		return nil
	}
	if hit.Rule.Action == filter.Review && review != nil { // a reject word would have been the decisive hit
		review.add(f, text)
		return nil
	}
	c.m.refused.WithLabelValues("content_filtered").Inc()
	c.recordRefusals(ctx, store.Refusal{AccountID: acc.ID, Business: business, Kind: "content_filtered",
		Detail: fmt.Sprintf("%s %q at %q", hit.Rule.Action, hit.Rule.Word, text[hit.Start:hit.End]), At: c.now()})
	return refuse(http.StatusUnprocessableEntity, "content_filtered", "the content contains the forbidden word %q (%q)", hit.Rule.Word, text[hit.Start:hit.End])
}

// recordRefusals writes refusals on their own: the request they belong to
// stores nothing else. A failure is logged, never shown to the caller,
// whose request is refused either way.
func (c *Core) recordRefusals(ctx context.Context, rs ...store.Refusal) {
	if err := c.write(ctx, writeOp{refusals: rs}); err != nil {
		c.log.Warn("could not record refusals", "n", len(rs), "err", err)
	}
}

// ---- administration ----

// BlacklistAdd bars numbers from a business type ("" = every type) and
// returns how many entries were new. Numbers are normalised; an invalid
// one refuses the whole call.
func (c *Core) BlacklistAdd(ctx context.Context, numbers []string, business, reason, source string) (int, error) {
	if business != "" && c.caches.business(business) == nil {
		return 0, refuse(http.StatusBadRequest, "unknown_business", "business type %q does not exist", business)
	}
	if len(numbers) == 0 {
		return 0, refuse(http.StatusBadRequest, "invalid_number", "no number given")
	}
	es := make([]store.BlacklistEntry, 0, len(numbers))
	for i, raw := range numbers {
		n, err := sms.NormalizeNumber(raw)
		if err != nil {
			return 0, refuse(http.StatusBadRequest, "invalid_number", "number %d (%q): %v", i+1, raw, errors.Unwrap(err))
		}
		es = append(es, store.BlacklistEntry{Number: n, Business: business, Reason: reason, Source: source, CreatedAt: c.now()})
	}
	added, err := c.st.AddBlacklist(ctx, es)
	if err != nil {
		return 0, fmt.Errorf("core: blacklist add: %w", err)
	}
	for _, e := range es {
		c.rules.black.Add(blacklist.Entry{Number: e.Number, Business: e.Business})
	}
	return added, nil
}

// BlacklistRemove lifts one entry.
func (c *Core) BlacklistRemove(ctx context.Context, number, business string) error {
	n, err := sms.NormalizeNumber(number)
	if err != nil {
		return refuse(http.StatusBadRequest, "invalid_number", "%q: %v", number, errors.Unwrap(err))
	}
	if err := c.st.RemoveBlacklist(ctx, n, business); err != nil {
		return fmt.Errorf("core: blacklist remove: %w", err)
	}
	c.rules.black.Remove(n, business)
	return nil
}

// Blocked says whether number may not receive business's messages.
func (c *Core) Blocked(number, business string) bool {
	b, _ := c.rules.black.Blocked(number, business)
	return b
}

// FilterWordAdd lists a forbidden word and rebuilds the automaton.
func (c *Core) FilterWordAdd(ctx context.Context, word, action string) (*store.FilterWord, error) {
	if action == "" {
		action = string(filter.Reject)
	}
	if action != string(filter.Reject) && action != string(filter.Review) {
		return nil, refuse(http.StatusBadRequest, "invalid_action", "action %q: want %q (refuse the request) or %q (hold it for an auditor)", action, filter.Reject, filter.Review)
	}
	word = strings.TrimSpace(word)
	if filter.Normalize(word) == "" {
		return nil, refuse(http.StatusBadRequest, "invalid_word", "word %q has no letters or digits to match", word)
	}
	fw := &store.FilterWord{Word: word, Action: action, CreatedAt: c.now()}
	if err := c.st.AddFilterWord(ctx, fw); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return nil, refuse(http.StatusConflict, "duplicate", "%q is listed already", word)
		}
		return nil, fmt.Errorf("core: add forbidden word: %w", err)
	}
	return fw, c.rebuildFilter(ctx)
}

// FilterWordRemove unlists a word.
func (c *Core) FilterWordRemove(ctx context.Context, id int64) error {
	if err := c.st.RemoveFilterWord(ctx, id); err != nil {
		return fmt.Errorf("core: remove forbidden word: %w", err)
	}
	return c.rebuildFilter(ctx)
}

// Recharge adds money (li) to an account; a negative amount is an adjustment.
func (c *Core) Recharge(ctx context.Context, accountID, amount int64, note, actor string) (int64, error) {
	if amount == 0 {
		return 0, refuse(http.StatusBadRequest, "invalid_amount", "amount must not be zero")
	}
	kind := "recharge"
	if amount < 0 {
		kind = "adjust"
	}
	bal, err := c.st.Recharge(ctx, accountID, amount, kind, note, actor)
	if err != nil {
		return 0, fmt.Errorf("core: recharge: %w", err)
	}
	return bal, c.caches.reload(ctx)
}
