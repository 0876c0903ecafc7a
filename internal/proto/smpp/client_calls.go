package smpp

import (
	"context"
	"fmt"

	"hongyan/internal/session"
)

// Submit sends one submit_sm and returns the SMSC's answer. Transport
// failures are errors; a refusal is a response with a non-zero Status (a
// generic_nack included). On 3.3 a message needing TLVs (message_payload,
// sar_*) is refused before sending: 3.3 would silently lose them.
func (c *Client) Submit(ctx context.Context, s *SubmitSM) (*SubmitSMResp, error) {
	p, err := c.submitPool(CmdSubmitSM)
	if err != nil {
		return nil, err
	}
	if !c.cfg.Version.HasTLV() && (s.TLVs.Has(TagMessagePayload) || s.TLVs.Has(TagSarMsgRefNum)) {
		return nil, fmt.Errorf("smpp %s submit_sm: message_payload / sar_* need SMPP 3.4: %w", c.cfg.Name, ErrInvalid)
	}
	var r SubmitSMResp
	if err := c.call(ctx, p, s, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// SubmitMulti sends one submit_multi.
func (c *Client) SubmitMulti(ctx context.Context, s *SubmitMulti) (*SubmitMultiResp, error) {
	p, err := c.submitPool(CmdSubmitMulti)
	if err != nil {
		return nil, err
	}
	var r SubmitMultiResp
	if err := c.call(ctx, p, s, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// DataSM sends one data_sm (3.4 only).
func (c *Client) DataSM(ctx context.Context, d *DataSM) (*DataSMResp, error) {
	p, err := c.submitPool(CmdDataSM)
	if err != nil {
		return nil, err
	}
	var r DataSMResp
	if err := c.call(ctx, p, d, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// QuerySM asks for a message's state.
func (c *Client) QuerySM(ctx context.Context, q *QuerySM) (*QuerySMResp, error) {
	p, err := c.submitPool(CmdQuerySM)
	if err != nil {
		return nil, err
	}
	var r QuerySMResp
	if err := c.call(ctx, p, q, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// CancelSM withdraws a message not yet delivered.
func (c *Client) CancelSM(ctx context.Context, k *CancelSM) (*CancelSMResp, error) {
	p, err := c.submitPool(CmdCancelSM)
	if err != nil {
		return nil, err
	}
	var r CancelSMResp
	if err := c.call(ctx, p, k, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// ReplaceSM replaces a message not yet delivered.
func (c *Client) ReplaceSM(ctx context.Context, rp *ReplaceSM) (*ReplaceSMResp, error) {
	p, err := c.submitPool(CmdReplaceSM)
	if err != nil {
		return nil, err
	}
	var r ReplaceSMResp
	if err := c.call(ctx, p, rp, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// submitPool is the pool allowed to send cmd (spec §2.3: a receiver sends
// no submit, query, cancel or replace).
func (c *Client) submitPool(cmd uint32) (*session.Client, error) {
	if c.submit == nil {
		return nil, fmt.Errorf("smpp %s %s on a %s bind: %w", c.cfg.Name, CommandName(cmd), c.mode, ErrBindMode)
	}
	return c.submit, nil
}
