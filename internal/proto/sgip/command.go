package sgip

import "fmt"

// Command ids (spec §5.1). A response id is the request id | 0x80000000.
const (
	CmdBind        uint32 = 0x00000001
	CmdUnbind      uint32 = 0x00000002
	CmdSubmit      uint32 = 0x00000003
	CmdDeliver     uint32 = 0x00000004
	CmdReport      uint32 = 0x00000005
	CmdUserRpt     uint32 = 0x00000011
	CmdTrace       uint32 = 0x00001000
	CmdBindResp    uint32 = 0x80000001
	CmdUnbindResp  uint32 = 0x80000002
	CmdSubmitResp  uint32 = 0x80000003
	CmdDeliverResp uint32 = 0x80000004
	CmdReportResp  uint32 = 0x80000005
	CmdUserRptResp uint32 = 0x80000011
	CmdTraceResp   uint32 = 0x80001000
	respBit        uint32 = 0x80000000

	// The SMG↔GNS and SMG↔billing commands (AddSP … DeleteSMG 0x6–0xF,
	// CheckUser 0x10) are not modelled: no SP sends or receives them.
	cmdGNSFirst uint32 = 0x00000006
	cmdGNSLast  uint32 = 0x00000010
)

var commandNames = map[uint32]string{
	CmdBind:        "SGIP_BIND",
	CmdUnbind:      "SGIP_UNBIND",
	CmdSubmit:      "SGIP_SUBMIT",
	CmdDeliver:     "SGIP_DELIVER",
	CmdReport:      "SGIP_REPORT",
	CmdUserRpt:     "SGIP_USERRPT",
	CmdTrace:       "SGIP_TRACE",
	CmdBindResp:    "SGIP_BIND_RESP",
	CmdUnbindResp:  "SGIP_UNBIND_RESP",
	CmdSubmitResp:  "SGIP_SUBMIT_RESP",
	CmdDeliverResp: "SGIP_DELIVER_RESP",
	CmdReportResp:  "SGIP_REPORT_RESP",
	CmdUserRptResp: "SGIP_USERRPT_RESP",
	CmdTraceResp:   "SGIP_TRACE_RESP",
}

// CommandName returns the spec name of a command id, for logs.
func CommandName(cmd uint32) string {
	if n, ok := commandNames[cmd]; ok {
		return n
	}
	return fmt.Sprintf("SGIP_0x%08X", cmd)
}

// isSpecCommand reports whether cmd is a request id the spec defines, so a
// well-framed but unsupported one earns an error Result, not a drop.
func isSpecCommand(cmd uint32) bool {
	switch {
	case cmd >= CmdBind && cmd <= cmdGNSLast, cmd == CmdUserRpt, cmd == CmdTrace:
		return true
	}
	return false
}

// Bind LoginType values (spec §4.2.3.1).
const (
	LoginSPToSMG   uint8 = 1  // SP → SMG: Submit
	LoginSMGToSP   uint8 = 2  // SMG → SP: Deliver, Report, UserRpt
	LoginSMGToSMG  uint8 = 3  // between SMGs
	LoginSMGToGNS  uint8 = 4  // SMG → GNS
	LoginGNSToSMG  uint8 = 5  // GNS → SMG
	LoginGNSToGNS  uint8 = 6  // between GNSs
	LoginTraceTest uint8 = 11 // SP → SMG test connection for Trace (port 8810)
)
