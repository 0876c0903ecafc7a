package smgp

import "fmt"

// RequestID values (spec §6.1.2). A response id is the request id | 0x80000000.
const (
	CmdLogin          uint32 = 0x00000001
	CmdSubmit         uint32 = 0x00000002
	CmdDeliver        uint32 = 0x00000003
	CmdActiveTest     uint32 = 0x00000004
	CmdForward        uint32 = 0x00000005 // SMGW↔SMGW, not modelled
	CmdExit           uint32 = 0x00000006
	CmdQuery          uint32 = 0x00000007
	CmdLoginResp      uint32 = 0x80000001
	CmdSubmitResp     uint32 = 0x80000002
	CmdDeliverResp    uint32 = 0x80000003
	CmdActiveTestResp uint32 = 0x80000004
	CmdForwardResp    uint32 = 0x80000005
	CmdExitResp       uint32 = 0x80000006
	CmdQueryResp      uint32 = 0x80000007
	respBit           uint32 = 0x80000000
)

var commandNames = map[uint32]string{
	CmdLogin:          "Login",
	CmdSubmit:         "Submit",
	CmdDeliver:        "Deliver",
	CmdActiveTest:     "Active_Test",
	CmdForward:        "Forward",
	CmdExit:           "Exit",
	CmdQuery:          "Query",
	CmdLoginResp:      "Login_Resp",
	CmdSubmitResp:     "Submit_Resp",
	CmdDeliverResp:    "Deliver_Resp",
	CmdActiveTestResp: "Active_Test_Resp",
	CmdForwardResp:    "Forward_Resp",
	CmdExitResp:       "Exit_Resp",
	CmdQueryResp:      "Query_Resp",
}

// CommandName returns the spec name of a RequestID, for logs.
func CommandName(cmd uint32) string {
	if n, ok := commandNames[cmd]; ok {
		return n
	}
	return fmt.Sprintf("SMGP_0x%08X", cmd)
}
