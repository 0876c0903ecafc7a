package cmpp

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/binary"
	"strconv"
	"time"
)

// Timestamp returns t as the decimal number MMDDHHMMSS used by CONNECT.
func Timestamp(t time.Time) uint32 {
	_, mo, d := t.Date()
	h, mi, s := t.Clock()
	return uint32(mo)*100000000 + uint32(d)*1000000 + uint32(h)*10000 + uint32(mi)*100 + uint32(s)
}

// AuthSource is AuthenticatorSource = MD5(Source_Addr(6, 0x00-padded) ‖
// 9×0x00 ‖ secret ‖ timestamp as 10 zero-padded digits).
func AuthSource(sourceAddr, secret string, timestamp uint32) [16]byte {
	buf := make([]byte, 0, 6+9+len(secret)+10)
	buf = append(buf, sourceAddr...)
	for len(buf) < sourceAddrLen {
		buf = append(buf, 0)
	}
	buf = buf[:sourceAddrLen] // an over-long SP_Id is cut like the wire field
	buf = append(buf, make([]byte, 9)...)
	buf = append(buf, secret...)
	buf = appendTimestamp(buf, timestamp)
	return md5.Sum(buf)
}

// appendTimestamp appends ts as exactly 10 decimal digits, zero-padded
// (gocmpp's %010d), so 1 Mar 00:00:00 is "0301000000".
func appendTimestamp(dst []byte, ts uint32) []byte {
	var digits [10]byte
	s := strconv.AppendUint(digits[:0], uint64(ts), 10)
	for i := len(s); i < 10; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// AuthISMG is AuthenticatorISMG = MD5(Status ‖ AuthenticatorSource ‖
// secret), with Status in its wire width for v (4 bytes 3.0, 1 byte 2.0).
func AuthISMG(status uint32, authSource [16]byte, secret string, v Version) [16]byte {
	buf := make([]byte, 0, 4+16+len(secret))
	if v.Is30() {
		buf = binary.BigEndian.AppendUint32(buf, status)
	} else {
		buf = append(buf, uint8(status))
	}
	buf = append(buf, authSource[:]...)
	buf = append(buf, secret...)
	return md5.Sum(buf)
}

// authEqual compares digests in constant time.
func authEqual(a, b [16]byte) bool { return subtle.ConstantTimeCompare(a[:], b[:]) == 1 }
