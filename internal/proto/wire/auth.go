package wire

import (
	"crypto/md5"
	"crypto/subtle"
	"strconv"
	"time"
)

// Timestamp returns t as the decimal number MMDDHHMMSS of the CMPP, SMGP
// and CNGP logins.
func Timestamp(t time.Time) uint32 {
	_, mo, d := t.Date()
	h, mi, s := t.Clock()
	return uint32(mo)*100000000 + uint32(d)*1000000 + uint32(h)*10000 + uint32(mi)*100 + uint32(s)
}

// AppendTimestamp appends ts as exactly 10 decimal digits, zero-padded
// (gocmpp's %010d), so 1 Mar 00:00:00 is "0301000000".
func AppendTimestamp(dst []byte, ts uint32) []byte {
	var digits [10]byte
	s := strconv.AppendUint(digits[:0], uint64(ts), 10)
	for i := len(s); i < 10; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// LoginDigest is the client authenticator of the CMPP, SMGP and CNGP
// logins: MD5(id ‖ zeros×0x00 ‖ secret ‖ timestamp as 10 digits).
func LoginDigest(id []byte, zeros int, secret string, ts uint32) [16]byte {
	buf := make([]byte, 0, len(id)+zeros+len(secret)+10)
	buf = append(buf, id...)
	buf = append(buf, make([]byte, zeros)...)
	buf = append(buf, secret...)
	buf = AppendTimestamp(buf, ts)
	return md5.Sum(buf)
}

// ReplyDigest is the server authenticator of the same logins:
// MD5(status ‖ client authenticator ‖ secret), status written as the
// protocol and its version say.
func ReplyDigest(status []byte, auth [16]byte, secret string) [16]byte {
	buf := make([]byte, 0, len(status)+16+len(secret))
	buf = append(buf, status...)
	buf = append(buf, auth[:]...)
	buf = append(buf, secret...)
	return md5.Sum(buf)
}

// AuthEqual compares digests in constant time.
func AuthEqual(a, b [16]byte) bool { return subtle.ConstantTimeCompare(a[:], b[:]) == 1 }
