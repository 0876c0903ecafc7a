package cmpp

import (
	"encoding/binary"
	"time"

	"hongyan/internal/proto/wire"
)

// Timestamp returns t as the decimal number MMDDHHMMSS used by CONNECT.
func Timestamp(t time.Time) uint32 { return wire.Timestamp(t) }

// AuthSource is AuthenticatorSource = MD5(Source_Addr(6, 0x00-padded) ‖
// 9×0x00 ‖ secret ‖ timestamp as 10 zero-padded digits).
func AuthSource(sourceAddr, secret string, timestamp uint32) [16]byte {
	id := make([]byte, sourceAddrLen)
	copy(id, sourceAddr) // an over-long SP_Id is cut like the wire field
	return wire.LoginDigest(id, 9, secret, timestamp)
}

// AuthISMG is AuthenticatorISMG = MD5(Status ‖ AuthenticatorSource ‖
// secret), with Status in its wire width for v (4 bytes 3.0, 1 byte 2.0).
func AuthISMG(status uint32, authSource [16]byte, secret string, v Version) [16]byte {
	st := []byte{uint8(status)}
	if v.Is30() {
		st = binary.BigEndian.AppendUint32(nil, status)
	}
	return wire.ReplyDigest(st, authSource, secret)
}

// authEqual compares digests in constant time.
func authEqual(a, b [16]byte) bool { return wire.AuthEqual(a, b) }
