package cngp

import "fmt"

// Command_Id values (protocols/cngp.md). A response id is the request id |
// 0x80000000.
const (
	CmdLogin              uint32 = 0x00000001
	CmdSubmit             uint32 = 0x00000002
	CmdDeliver            uint32 = 0x00000003
	CmdActiveTest         uint32 = 0x00000004
	CmdForward            uint32 = 0x00000005 // SMGW↔SMGW
	CmdExit               uint32 = 0x00000006
	CmdPaymentRequest     uint32 = 0x0000000A // prepaid, one source: not modelled
	CmdQueryUserState     uint32 = 0x0000000C // prepaid, one source: not modelled
	CmdLoginResp          uint32 = 0x80000001
	CmdSubmitResp         uint32 = 0x80000002
	CmdDeliverResp        uint32 = 0x80000003
	CmdActiveTestResp     uint32 = 0x80000004
	CmdForwardResp        uint32 = 0x80000005
	CmdExitResp           uint32 = 0x80000006
	CmdPaymentRequestResp uint32 = 0x8000000A
	CmdQueryUserStateResp uint32 = 0x8000000C
	respBit               uint32 = 0x80000000
)

var commandNames = map[uint32]string{
	CmdLogin:              "Login",
	CmdSubmit:             "Submit",
	CmdDeliver:            "Deliver",
	CmdActiveTest:         "Active_Test",
	CmdForward:            "Forward",
	CmdExit:               "Exit",
	CmdPaymentRequest:     "Payment_Request",
	CmdQueryUserState:     "Query_UserState",
	CmdLoginResp:          "Login_Resp",
	CmdSubmitResp:         "Submit_Resp",
	CmdDeliverResp:        "Deliver_Resp",
	CmdActiveTestResp:     "Active_Test_Resp",
	CmdForwardResp:        "Forward_Resp",
	CmdExitResp:           "Exit_Resp",
	CmdPaymentRequestResp: "Payment_Request_Resp",
	CmdQueryUserStateResp: "Query_UserState_Resp",
}

// CommandName returns the name of a Command_Id, for logs.
func CommandName(cmd uint32) string {
	if n, ok := commandNames[cmd]; ok {
		return n
	}
	return fmt.Sprintf("CNGP_0x%08X", cmd)
}
