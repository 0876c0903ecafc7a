package cngp

import "fmt"

// Version is the CNGP version byte (Login Version, Login_Resp Version):
// high nibble major, low nibble minor (wujunjenny/smgw cngpdef.h).
type Version uint8

const (
	V10 Version = 0x10 // CNGP 1.0 (LeadTone's Login default, one source)
	V20 Version = 0x20 // CNGP 2.0 (wujunjenny/smgw's default, one source)
)

// HasForwardSPID reports whether Forward carries the SPID TLV (0x0101): the
// one 1.0/2.0 difference any source shows (wujunjenny/smgw adds it from
// 0x20 on). The SP↔SMGW PDUs are the same in both.
func (v Version) HasForwardSPID() bool { return v >= V20 }

func (v Version) String() string {
	return fmt.Sprintf("%d.%d", v>>4, v&0x0f)
}
