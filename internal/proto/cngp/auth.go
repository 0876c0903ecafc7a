package cngp

import (
	"encoding/binary"
	"time"

	"hongyan/internal/proto/wire"
)

// Timestamp returns t as the decimal number MMDDHHMMSS used by Login.
func Timestamp(t time.Time) uint32 { return wire.Timestamp(t) }

// AuthClient is AuthenticatorClient = MD5(ClientID ‖ 7×0x00 ‖ secret ‖
// TimeStamp as 10 zero-padded digits), SMGP's rule (three implementations
// agree). ClientID is hashed as given, not padded to its 10-byte field:
// wujunjenny/smgw's server checks that form first.
func AuthClient(clientID, secret string, timestamp uint32) [16]byte {
	return wire.LoginDigest([]byte(clientID), 7, secret, timestamp)
}

// authClientPadded is the form wujunjenny/smgw retries with: ClientID
// 0x00-padded to 10 bytes. Servers accept it too.
func authClientPadded(clientID, secret string, timestamp uint32) [16]byte {
	id := make([]byte, clientIDLen)
	copy(id, clientID)
	return wire.LoginDigest(id, 7, secret, timestamp)
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
	var st []byte
	switch a {
	case AuthStatusASCII:
		st = []byte{'0' + uint8(status%10)}
	case authStatus4:
		st = binary.BigEndian.AppendUint32(nil, status)
	default:
		st = []byte{uint8(status)}
	}
	return wire.ReplyDigest(st, authClient, secret)
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
func authEqual(a, b [16]byte) bool { return wire.AuthEqual(a, b) }
