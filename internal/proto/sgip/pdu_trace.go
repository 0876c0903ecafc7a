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
	e := enc{b: dst, pdu: "trace"}
	e.seq(p.SubmitSeq)
	e.str("UserNumber", p.UserNumber, numberLen)
	e.str("Reserve", p.Reserve, reserveLen)
	return e.result(dst)
}

func (p *Trace) Unmarshal(b []byte) error {
	d := newDec(b, "trace")
	p.SubmitSeq = d.seq("SubmitSequenceNumber")
	p.UserNumber = d.str("UserNumber", numberLen)
	p.Reserve = d.str("Reserve", reserveLen)
	return d.end()
}

func (*TraceResp) CommandID() uint32 { return CmdTraceResp }

func (p *TraceResp) Marshal(dst []byte, _ Variant) ([]byte, error) {
	e := enc{b: dst, pdu: "trace_resp"}
	if len(p.Nodes) > 255 {
		e.fail("%d nodes, Count holds 255", len(p.Nodes))
	}
	e.u8(uint8(len(p.Nodes)))
	for _, n := range p.Nodes {
		e.u8(n.Result)
		e.str("NodeId", n.NodeID, 6)
		e.str("ReceiveTime", n.ReceiveTime, 16)
		e.str("SendTime", n.SendTime, 16)
		e.str("Reserve", n.Reserve, reserveLen)
	}
	return e.result(dst)
}

func (p *TraceResp) Unmarshal(b []byte) error {
	d := newDec(b, "trace_resp")
	*p = TraceResp{}
	n := int(d.u8("Count"))
	if d.err == nil && d.left() != n*traceNodeLen {
		return fmt.Errorf("sgip trace_resp: Count %d needs %d bytes, have %d: %w", n, n*traceNodeLen, d.left(), session.ErrMalformed)
	}
	if n > 0 {
		p.Nodes = make([]TraceNode, n)
		for i := range p.Nodes {
			p.Nodes[i] = TraceNode{
				Result:      d.u8("Result"),
				NodeID:      d.str("NodeId", 6),
				ReceiveTime: d.str("ReceiveTime", 16),
				SendTime:    d.str("SendTime", 16),
				Reserve:     d.str("Reserve", reserveLen),
			}
		}
	}
	return d.end()
}
