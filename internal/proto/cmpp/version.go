package cmpp

import "fmt"

// Version is the CMPP version byte: high nibble major, low nibble minor.
type Version uint8

const (
	V20 Version = 0x20
	V21 Version = 0x21 // CMPP 2.1: same wire layout as 2.0
	V30 Version = 0x30
)

// Is30 reports whether v uses the 3.0 layout (wider numbers and statuses,
// LinkID). Anything below 3.0, including 2.1, uses the 2.0 layout.
func (v Version) Is30() bool { return v >= V30 }

func (v Version) String() string {
	return fmt.Sprintf("%d.%d", v>>4, v&0x0f)
}

// layout maps v to the layout version the codec switches on.
func (v Version) layout() Version {
	if v.Is30() {
		return V30
	}
	return V20
}
