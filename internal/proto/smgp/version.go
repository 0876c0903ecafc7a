package smgp

import "fmt"

// Version is the SMGP version byte (Login ClientVersion, Login_Resp
// ServerVersion): high nibble major, low nibble minor.
type Version uint8

const (
	V13 Version = 0x13 // SMGP 1.3: no FixedFee in Submit, no TLVs
	V20 Version = 0x20 // SMGP 2.0: 3.0's fixed bodies, no TLVs
	V30 Version = 0x30 // SMGP 3.0 (spec text V3.0.3): TLVs after the fixed body
)

// HasTLV reports whether v appends optional parameters (TLVs) to Submit and
// Deliver; only 3.0 does.
func (v Version) HasTLV() bool { return v >= V30 }

// HasFixedFee reports whether v's Submit carries the 6-byte FixedFee field;
// 1.3 has none (SMSGate, one source).
func (v Version) HasFixedFee() bool { return v >= V20 }

// Known reports whether v is a version this package has a layout for.
func (v Version) Known() bool { return v >= V13 }

func (v Version) String() string {
	return fmt.Sprintf("%d.%d", v>>4, v&0x0f)
}

// layout maps any version byte to the layout the codec switches on:
// 0x21–0x2F read as 2.0, 0x31+ as 3.0, below 0x20 as 1.3.
func (v Version) layout() Version {
	switch {
	case v >= V30:
		return V30
	case v >= V20:
		return V20
	}
	return V13
}
