// Package cmpp implements China Mobile's CMPP 3.0 and 2.0 (2.1) gateway
// protocol on top of the shared session engine: every SP↔ISMG PDU, the
// SP-side Client, the ISMG-side Server, authentication both ways, the Msg_Id
// bit layout and status reports carried inside CMPP_DELIVER.
//
// The package moves messages only: it knows no database and no business
// rules. Text encoding and long-message splitting live in internal/sms; here
// a long message is just TP_udhi=1 with a UDH at the start of Msg_Content.
//
// Wire layout references: /work/shared/protocols/cmpp.md.
package cmpp
