package cmpp

import "fmt"

// Command ids (spec §8.7.1). A response id is the request id | 0x80000000.
const (
	CmdConnect        uint32 = 0x00000001
	CmdTerminate      uint32 = 0x00000002
	CmdSubmit         uint32 = 0x00000004
	CmdDeliver        uint32 = 0x00000005
	CmdQuery          uint32 = 0x00000006
	CmdCancel         uint32 = 0x00000007
	CmdActiveTest     uint32 = 0x00000008
	CmdFwd            uint32 = 0x00000009
	CmdConnectResp    uint32 = 0x80000001
	CmdTerminateResp  uint32 = 0x80000002
	CmdSubmitResp     uint32 = 0x80000004
	CmdDeliverResp    uint32 = 0x80000005
	CmdQueryResp      uint32 = 0x80000006
	CmdCancelResp     uint32 = 0x80000007
	CmdActiveTestResp uint32 = 0x80000008
	CmdFwdResp        uint32 = 0x80000009
	respBit           uint32 = 0x80000000
)

var commandNames = map[uint32]string{
	CmdConnect:        "CMPP_CONNECT",
	CmdTerminate:      "CMPP_TERMINATE",
	CmdSubmit:         "CMPP_SUBMIT",
	CmdDeliver:        "CMPP_DELIVER",
	CmdQuery:          "CMPP_QUERY",
	CmdCancel:         "CMPP_CANCEL",
	CmdActiveTest:     "CMPP_ACTIVE_TEST",
	CmdFwd:            "CMPP_FWD",
	CmdConnectResp:    "CMPP_CONNECT_RESP",
	CmdTerminateResp:  "CMPP_TERMINATE_RESP",
	CmdSubmitResp:     "CMPP_SUBMIT_RESP",
	CmdDeliverResp:    "CMPP_DELIVER_RESP",
	CmdQueryResp:      "CMPP_QUERY_RESP",
	CmdCancelResp:     "CMPP_CANCEL_RESP",
	CmdActiveTestResp: "CMPP_ACTIVE_TEST_RESP",
	CmdFwdResp:        "CMPP_FWD_RESP",
}

// CommandName returns the spec name of a command id, for logs.
func CommandName(cmd uint32) string {
	if n, ok := commandNames[cmd]; ok {
		return n
	}
	return fmt.Sprintf("CMPP_0x%08X", cmd)
}
