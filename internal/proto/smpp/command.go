package smpp

import "fmt"

// Command ids (spec 3.4 Table 5-1). A response id is the request id with the
// top bit set; generic_nack has only the response form.
const (
	CmdGenericNack         uint32 = 0x80000000
	CmdBindReceiver        uint32 = 0x00000001
	CmdBindReceiverResp    uint32 = 0x80000001
	CmdBindTransmitter     uint32 = 0x00000002
	CmdBindTransmitterResp uint32 = 0x80000002
	CmdQuerySM             uint32 = 0x00000003
	CmdQuerySMResp         uint32 = 0x80000003
	CmdSubmitSM            uint32 = 0x00000004
	CmdSubmitSMResp        uint32 = 0x80000004
	CmdDeliverSM           uint32 = 0x00000005
	CmdDeliverSMResp       uint32 = 0x80000005
	CmdUnbind              uint32 = 0x00000006
	CmdUnbindResp          uint32 = 0x80000006
	CmdReplaceSM           uint32 = 0x00000007
	CmdReplaceSMResp       uint32 = 0x80000007
	CmdCancelSM            uint32 = 0x00000008
	CmdCancelSMResp        uint32 = 0x80000008
	CmdBindTransceiver     uint32 = 0x00000009
	CmdBindTransceiverResp uint32 = 0x80000009
	CmdOutbind             uint32 = 0x0000000B
	CmdEnquireLink         uint32 = 0x00000015
	CmdEnquireLinkResp     uint32 = 0x80000015
	CmdSubmitMulti         uint32 = 0x00000021
	CmdSubmitMultiResp     uint32 = 0x80000021
	CmdAlertNotification   uint32 = 0x00000102
	CmdDataSM              uint32 = 0x00000103
	CmdDataSMResp          uint32 = 0x80000103
	respBit                uint32 = 0x80000000
)

var commandNames = map[uint32]string{
	CmdGenericNack:         "generic_nack",
	CmdBindReceiver:        "bind_receiver",
	CmdBindReceiverResp:    "bind_receiver_resp",
	CmdBindTransmitter:     "bind_transmitter",
	CmdBindTransmitterResp: "bind_transmitter_resp",
	CmdQuerySM:             "query_sm",
	CmdQuerySMResp:         "query_sm_resp",
	CmdSubmitSM:            "submit_sm",
	CmdSubmitSMResp:        "submit_sm_resp",
	CmdDeliverSM:           "deliver_sm",
	CmdDeliverSMResp:       "deliver_sm_resp",
	CmdUnbind:              "unbind",
	CmdUnbindResp:          "unbind_resp",
	CmdReplaceSM:           "replace_sm",
	CmdReplaceSMResp:       "replace_sm_resp",
	CmdCancelSM:            "cancel_sm",
	CmdCancelSMResp:        "cancel_sm_resp",
	CmdBindTransceiver:     "bind_transceiver",
	CmdBindTransceiverResp: "bind_transceiver_resp",
	CmdOutbind:             "outbind",
	CmdEnquireLink:         "enquire_link",
	CmdEnquireLinkResp:     "enquire_link_resp",
	CmdSubmitMulti:         "submit_multi",
	CmdSubmitMultiResp:     "submit_multi_resp",
	CmdAlertNotification:   "alert_notification",
	CmdDataSM:              "data_sm",
	CmdDataSMResp:          "data_sm_resp",
}

// CommandName returns the spec name of a command id, for logs.
func CommandName(cmd uint32) string {
	if n, ok := commandNames[cmd]; ok {
		return n
	}
	return fmt.Sprintf("smpp_0x%08x", cmd)
}

// KnownCommand reports whether v defines cmd. 3.3 lacks bind_transceiver,
// data_sm and alert_notification (added in 3.4).
func KnownCommand(cmd uint32, v Version) bool {
	if _, ok := commandNames[cmd]; !ok {
		return false
	}
	if v.HasTLV() {
		return true
	}
	switch cmd &^ respBit {
	case CmdBindTransceiver, CmdDataSM, CmdAlertNotification:
		return false
	}
	return true
}

// hasResponse reports whether request cmd is answered (outbind and
// alert_notification are not).
func hasResponse(cmd uint32) bool {
	return cmd != CmdOutbind && cmd != CmdAlertNotification && cmd&respBit == 0
}
