package smgp

import "hongyan/internal/proto/wire"

// LoginMode is what a client logs in for. Its zero value is transmit, the
// default, so its numbering is not the wire's: see Wire. SMGP and CNGP
// share it.
type LoginMode = wire.LoginMode

const (
	LoginTransmit = wire.LoginTransmit // wire 2: submit and receive
	LoginSend     = wire.LoginSend     // wire 0: submit (MT) only
	LoginReceive  = wire.LoginReceive  // wire 1: receive MO and reports only
)

// Login mode bytes on the wire (Login.LoginMode).
const (
	WireModeSend     = wire.WireModeSend
	WireModeReceive  = wire.WireModeReceive
	WireModeTransmit = wire.WireModeTransmit
)

// LoginModeFromWire maps a LoginMode byte; ok is false outside 0–2.
func LoginModeFromWire(b uint8) (m LoginMode, ok bool) { return wire.LoginModeFromWire(b) }
