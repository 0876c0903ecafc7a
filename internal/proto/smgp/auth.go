package smgp

import (
	"encoding/binary"
	"time"

	"hongyan/internal/proto/wire"
)

// Timestamp returns t as the decimal number MMDDHHMMSS used by Login.
func Timestamp(t time.Time) uint32 { return wire.Timestamp(t) }

// AuthClient is AuthenticatorClient = MD5(ClientID ‖ 7×0x00 ‖ secret ‖
// TimeStamp as 10 zero-padded digits). ClientID is hashed as given, not
// padded to its 8-byte field: clz619/smgp3 does so and wujunjenny/smgw
// checks this form first (protocols/smgp.md).
func AuthClient(clientID, secret string, timestamp uint32) [16]byte {
	return wire.LoginDigest([]byte(clientID), 7, secret, timestamp)
}

// authClientPadded is the other reading: ClientID 0x00-padded to 8 bytes.
// Servers accept it too; it differs only for ids shorter than 8.
func authClientPadded(clientID, secret string, timestamp uint32) [16]byte {
	id := make([]byte, clientIDLen)
	copy(id, clientID)
	return wire.LoginDigest(id, 7, secret, timestamp)
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
	var st []byte
	switch w {
	case StatusWidth1:
		st = []byte{uint8(status)}
	case statusASCII:
		st = []byte{'0' + uint8(status%10)}
	default:
		st = binary.BigEndian.AppendUint32(nil, status)
	}
	return wire.ReplyDigest(st, authClient, secret)
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
func authEqual(a, b [16]byte) bool { return wire.AuthEqual(a, b) }
