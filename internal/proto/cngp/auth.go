package cngp

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
// TimeStamp as 10 zero-padded digits), SMGP's rule (three implementations
// agree). ClientID is hashed as given, not padded to its 10-byte field:
// wujunjenny/smgw's server checks that form first.
func AuthClient(clientID, secret string, timestamp uint32) [16]byte {
	return authClient([]byte(clientID), secret, timestamp)
}

// authClientPadded is the form wujunjenny/smgw retries with: ClientID
// 0x00-padded to 10 bytes. Servers accept it too.
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

// AuthStatus is how a server writes Status into AuthenticatorServer. Only
// wujunjenny/smgw computes it, with a switch between the two first forms.
type AuthStatus uint8

const (
	// AuthStatusByte hashes Status as one raw byte (wujunjenny/smgw with
	// StatusIsInt on). The default.
	AuthStatusByte AuthStatus = iota
	// AuthStatusASCII hashes Status as one ASCII digit ("0"), as
	// wujunjenny/smgw with StatusIsInt off.
	AuthStatusASCII
	// authStatus4 hashes the 4-byte header width. No source does; a client
	// accepts it because Command_Status is a u32 on the wire.
	authStatus4
)

// AuthServer is AuthenticatorServer = MD5(Status ‖ AuthenticatorClient ‖
// secret), Status written as a.
func AuthServer(status uint32, authClient [16]byte, secret string, a AuthStatus) [16]byte {
	buf := make([]byte, 0, 4+16+len(secret))
	switch a {
	case AuthStatusASCII:
		buf = append(buf, '0'+uint8(status%10))
	case authStatus4:
		buf = binary.BigEndian.AppendUint32(buf, status)
	default:
		buf = append(buf, uint8(status))
	}
	buf = append(buf, authClient[:]...)
	buf = append(buf, secret...)
	return md5.Sum(buf)
}

// VerifyAuthServer reports whether got is AuthenticatorServer for status
// under any reading: raw byte, ASCII digit or 4 bytes.
func VerifyAuthServer(got [16]byte, status uint32, authClient [16]byte, secret string) bool {
	for _, a := range []AuthStatus{AuthStatusByte, AuthStatusASCII, authStatus4} {
		if authEqual(got, AuthServer(status, authClient, secret, a)) {
			return true
		}
	}
	return false
}

// authEqual compares digests in constant time.
func authEqual(a, b [16]byte) bool { return subtle.ConstantTimeCompare(a[:], b[:]) == 1 }
