// Package cmpp implements China Mobile's CMPP 3.0 and 2.0 (2.1) gateway
// protocol on top of the shared session engine: every SP↔ISMG PDU, the
// SP-side Client, the ISMG-side Server, authentication both ways, the Msg_Id
// bit layout and status reports carried inside CMPP_DELIVER.
//
// The package moves messages only: it knows no database and no business
// rules. Text encoding and long-message splitting live in internal/sms; here
// a long message is just TP_udhi=1 with a UDH at the start of Msg_Content.
//
// Wire layout references: /work/shared/protocols/cmpp.md. Readings where
// the sources are silent or disagree, chosen to accept what real peers send:
//   - Largest PDU: 3335 bytes (3.0) / 2477 (2.x), gocmpp's limits; the spec
//     states none.
//   - Status reports are decoded by Msg_Length (60 = 2.0 layout, 71 = 3.0)
//     on either version; they are encoded in the session version's layout.
//   - Fixed-size responses (CONNECT_RESP, SUBMIT_RESP, DELIVER_RESP,
//     CANCEL_RESP) are decoded by body length when it matches one version.
//   - AuthenticatorISMG is checked over the Status width on the wire, then
//     the other width (sources differ on what 3.0 ISMGs hash).
//   - Octet strings are cut at the first 0x00 and trailing spaces dropped.
//   - DestUsr_tl is accepted up to 255 on decode (spec: < 100); the PDU size
//     limit bounds it on encode, see MaxDests.
//   - A SUBMIT body that does not parse is answered with Result 1 and the
//     connection kept: its framing was intact. Framing errors close it.
package cmpp
