package smgp

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/binary"
	"strconv"
	"time"
)

// Timestamp returns t as the decimal number MMDDHHMMSS used by Login.
func Timestamp(t time.Time) uint32 {
	_, mo, d := t.Date()
	h, mi, s := t.Clock()
	return uint32(mo)*100000000 + uint32(d)*1000000 + uint32(h)*10000 + uint32(mi)*100 + uint32(s)
}

// AuthClient is AuthenticatorClient = MD5(ClientID ‖ 7×0x00 ‖ secret ‖
// TimeStamp as 10 zero-padded digits). ClientID is hashed as given, not
// padded to its 8-byte field: clz619/smgp3 does so and wujunjenny/smgw
// checks this form first (protocols/smgp.md).
func AuthClient(clientID, secret string, timestamp uint32) [16]byte {
	return authClient([]byte(clientID), secret, timestamp)
}

// authClientPadded is the other reading: ClientID 0x00-padded to 8 bytes.
// Servers accept it too; it differs only for ids shorter than 8.
func authClientPadded(clientID, secret string, timestamp uint32) [16]byte {
	id := make([]byte, clientIDLen)
	copy(id, clientID)
	return authClient(id, secret, timestamp)
}

func authClient(id []byte, secret string, ts uint32) [16]byte {
	buf := make([]byte, 0, len(id)+7+len(secret)+10)
	buf = append(buf, id...)
	buf = append(buf, make([]byte, 7)...)
	buf = append(buf, secret...)
	buf = appendTimestamp(buf, ts)
	return md5.Sum(buf)
}

// appendTimestamp appends ts as exactly 10 decimal digits, zero-padded, so
// 1 Mar 00:00:00 is "0301000000".
func appendTimestamp(dst []byte, ts uint32) []byte {
	var digits [10]byte
	s := strconv.AppendUint(digits[:0], uint64(ts), 10)
	for i := len(s); i < 10; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// StatusWidth is how a server hashes Status into AuthenticatorServer; the
// spec does not say (protocols/smgp.md, test-vectors §6).
type StatusWidth uint8

const (
	// StatusWidth4 hashes Status as 4 big-endian bytes, its wire width
	// (our test vector's reading). The default.
	StatusWidth4 StatusWidth = 4
	// StatusWidth1 hashes one byte, as wujunjenny/smgw, the one
	// gateway-side implementation read.
	StatusWidth1 StatusWidth = 1
	// statusASCII is wujunjenny/smgw with StatusIsInt off: the status as
	// one ASCII digit. Only accepted, never sent.
	statusASCII StatusWidth = 0xA
)

// AuthServer is AuthenticatorServer = MD5(Status ‖ AuthenticatorClient ‖
// secret), Status in width w (StatusWidth4 unless w is StatusWidth1).
func AuthServer(status uint32, authClient [16]byte, secret string, w StatusWidth) [16]byte {
	buf := make([]byte, 0, 4+16+len(secret))
	switch w {
	case StatusWidth1:
		buf = append(buf, uint8(status))
	case statusASCII:
		buf = append(buf, '0'+uint8(status%10))
	default:
		buf = binary.BigEndian.AppendUint32(buf, status)
	}
	buf = append(buf, authClient[:]...)
	buf = append(buf, secret...)
	return md5.Sum(buf)
}

// VerifyAuthServer reports whether got is AuthenticatorServer for status
// under any reading a real SMGW uses: 4-byte, 1-byte, or ASCII digit.
func VerifyAuthServer(got [16]byte, status uint32, authClient [16]byte, secret string) bool {
	for _, w := range []StatusWidth{StatusWidth4, StatusWidth1, statusASCII} {
		if authEqual(got, AuthServer(status, authClient, secret, w)) {
			return true
		}
	}
	return false
}

// authEqual compares digests in constant time.
func authEqual(a, b [16]byte) bool { return subtle.ConstantTimeCompare(a[:], b[:]) == 1 }
