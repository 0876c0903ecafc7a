package smpp

import "fmt"

// Version is the SMPP interface_version byte.
type Version uint8

const (
	V33 Version = 0x33 // SMPP 3.3: no TLVs, no bind_transceiver, no data_sm
	V34 Version = 0x34 // SMPP 3.4
)

// VersionOf maps a bind's interface_version to the layout spoken: 0x34 and
// above is 3.4 (later versions are served as 3.4, their superset), anything
// lower is 3.3 (spec 3.4 §5.2.4: "0x00–0x33 indicates 3.3 or earlier").
func VersionOf(interfaceVersion uint8) Version {
	if interfaceVersion >= uint8(V34) {
		return V34
	}
	return V33
}

// HasTLV reports whether v carries optional parameters (TLVs).
func (v Version) HasTLV() bool { return v >= V34 }

func (v Version) String() string { return fmt.Sprintf("%d.%d", v>>4, v&0x0f) }

// valid reports whether v is one of the two versions this package speaks.
func (v Version) valid() bool { return v == V33 || v == V34 }
