package sgip

import (
	"fmt"

	"hongyan/internal/session"
)

// Trace (SGIP_TRACE) asks where an MT went, SP → SMG on a test connection
// (LoginTraceTest, port 8810); body 41 bytes. The answer may take minutes.
type Trace struct {
	SubmitSeq  session.Seq // the Submit being traced
	UserNumber string      // 21
	Reserve    string      // 8
}

// TraceResp (SGIP_TRACE_RESP): Count, then one record per node the message
// passed (spec text; SMSGate models a single node).
type TraceResp struct {
	Nodes []TraceNode
}

// TraceNode is one node's record in a TraceResp; 47 bytes.
type TraceNode struct {
	Result      uint8  // 0 received, 1 waiting, else a Result* code
	NodeID      string // 6
	ReceiveTime string // 16 ("yymmddhhmmss", padded)
	SendTime    string // 16
	Reserve     string // 8
}

const traceNodeLen = 1 + 6 + 16 + 16 + reserveLen

func (*Trace) CommandID() uint32 { return CmdTrace }

func (p *Trace) Marshal(dst []byte, _ Variant) ([]byte, error) {
	e := newEnc(dst, "trace")
	e.seq(p.SubmitSeq)
	e.Str("UserNumber", p.UserNumber, numberLen)
	e.Str("Reserve", p.Reserve, reserveLen)
	return e.result(dst)
}

func (p *Trace) Unmarshal(b []byte) error {
	d := newDec(b, "trace")
	p.SubmitSeq = d.seq("SubmitSequenceNumber")
	p.UserNumber = d.Str("UserNumber", numberLen)
	p.Reserve = d.Str("Reserve", reserveLen)
	return d.end()
}

func (*TraceResp) CommandID() uint32 { return CmdTraceResp }

func (p *TraceResp) Marshal(dst []byte, _ Variant) ([]byte, error) {
	e := newEnc(dst, "trace_resp")
	if len(p.Nodes) > 255 {
		e.Fail("%d nodes, Count holds 255", len(p.Nodes))
	}
	e.U8(uint8(len(p.Nodes)))
	for _, n := range p.Nodes {
		e.U8(n.Result)
		e.Str("NodeId", n.NodeID, 6)
		e.Str("ReceiveTime", n.ReceiveTime, 16)
		e.Str("SendTime", n.SendTime, 16)
		e.Str("Reserve", n.Reserve, reserveLen)
	}
	return e.result(dst)
}

func (p *TraceResp) Unmarshal(b []byte) error {
	d := newDec(b, "trace_resp")
	*p = TraceResp{}
	n := int(d.U8("Count"))
	if d.Err == nil && d.Left() != n*traceNodeLen {
		return fmt.Errorf("sgip trace_resp: Count %d needs %d bytes, have %d: %w", n, n*traceNodeLen, d.Left(), session.ErrMalformed)
	}
	if n > 0 {
		p.Nodes = make([]TraceNode, n)
		for i := range p.Nodes {
			p.Nodes[i] = TraceNode{
				Result:      d.U8("Result"),
				NodeID:      d.Str("NodeId", 6),
				ReceiveTime: d.Str("ReceiveTime", 16),
				SendTime:    d.Str("SendTime", 16),
				Reserve:     d.Str("Reserve", reserveLen),
			}
		}
	}
	return d.end()
}
