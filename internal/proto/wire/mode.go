package wire

// LoginMode is what an SMGP or CNGP client logs in for. Its zero value is
// transmit, the default, so its numbering is not the wire's: see Wire.
type LoginMode uint8

const (
	LoginTransmit LoginMode = iota // wire 2: submit and receive
	LoginSend                      // wire 0: submit (MT) only
	LoginReceive                   // wire 1: receive MO and reports only
)

// Login mode bytes on the wire (Login.LoginMode).
const (
	WireModeSend     uint8 = 0
	WireModeReceive  uint8 = 1
	WireModeTransmit uint8 = 2
)

// Wire is m's LoginMode byte.
func (m LoginMode) Wire() uint8 {
	switch m {
	case LoginSend:
		return WireModeSend
	case LoginReceive:
		return WireModeReceive
	}
	return WireModeTransmit
}

// LoginModeFromWire maps a LoginMode byte; ok is false outside 0–2.
func LoginModeFromWire(b uint8) (m LoginMode, ok bool) {
	switch b {
	case WireModeSend:
		return LoginSend, true
	case WireModeReceive:
		return LoginReceive, true
	case WireModeTransmit:
		return LoginTransmit, true
	}
	return LoginTransmit, false
}

// CanSubmit reports whether a session in mode m may carry Submit.
func (m LoginMode) CanSubmit() bool { return m != LoginReceive }

// CanDeliver reports whether a session in mode m may carry Deliver.
func (m LoginMode) CanDeliver() bool { return m != LoginSend }

func (m LoginMode) String() string {
	switch m {
	case LoginSend:
		return "send"
	case LoginReceive:
		return "receive"
	}
	return "transmit"
}
