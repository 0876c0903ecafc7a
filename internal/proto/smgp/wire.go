package smgp

import (
	"errors"

	"hongyan/internal/proto/wire"
)

// ErrInvalid marks a PDU that cannot be encoded as given (field too long,
// too many destinations, PDU above MaxPDU …).
var ErrInvalid = errors.New("smgp: invalid pdu field")

// wireProto names SMGP in the errors of the shared codecs: bodies are
// encoded with wire.Enc and decoded with wire.Dec, byte fields cut from one
// copy of the body (wire.Dec.Shared).
var wireProto = &wire.Proto{Name: "smgp", Invalid: ErrInvalid}

// dec is the shared decoder.
type dec = wire.Dec
