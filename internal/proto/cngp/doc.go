// Package cngp implements China Netcom's CNGP 2.0, and 1.0 where it
// differs, on top of the shared session engine: every SP↔SMGW PDU (Login,
// Submit, Deliver with the status report inside it, Active_Test, Exit and
// their responses), Forward (SMGW↔SMGW, codec only), the TLVs, the SP-side
// Client, the SMGW-side Server and authentication both ways.
//
// No public CNGP specification text exists; every layout here comes from
// implementations (/work/shared/protocols/cngp.md lists them). CNGP is
// SMGP 3.0's shape with a 16-byte header whose Command_Status carries every
// response's result. The package moves bytes only: text encoding and
// long-message splitting live in internal/sms.
//
// Readings where the sources are silent or disagree:
//   - Versions: 2.0 = 0x20 (wujunjenny/smgw's default), 1.0 = 0x10
//     (LeadTone's Login default). No source shows an SP↔SMGW layout
//     difference, so both versions share every SP↔SMGW layout; the one
//     difference seen, the SPID TLV (0x0101) on Forward from 0x20 on, is
//     kept. ClientConfig.LoginVersion sends another Login byte (SPs are
//     seen sending 1 and 0x12) without changing layouts. A Server serves
//     any version byte up to its own and answers a higher one with 22.
//   - Largest PDU: 4096 bytes, sent or accepted (no source states one; it
//     holds a Submit to 100 destinations with 254 bytes of content). A
//     bigger or sub-header Total_Length closes the connection
//     (session.ErrMalformed); encoding a bigger PDU fails (ErrInvalid).
//     Content is limited to 254 bytes on encode (three implementations),
//     255 accepted.
//   - Responses: the result is the header's Command_Status (Response
//     interface). A refusal whose body does not parse (a bare header) is
//     still a refusal; a status-0 response whose body does not parse is an
//     error.
//   - TLVs are kept in order, unknown tags verbatim. A Client adds
//     ProtocolID (0x0100) = 0 to Submit and CongestionState (0x0428) = 0
//     to Deliver_Resp when absent; a Server adds CongestionState to
//     Submit_Resp and ProtocolID to Deliver (what the implementations send).
//     OmitTLVs on either side sends bare fixed bodies. On receipt a TLV
//     tail that does not walk is a structure error in Submit, Deliver and
//     Forward (usually a mis-sized fixed body) and dropped in responses
//     (the Huawei SMProxy's Deliver_Resp leaves tag and length 0).
//   - No TP_udhi exists in any source: a long message is a UDH at the start
//     of MsgContent; the receiver finds it from the content.
//   - AuthenticatorClient = MD5(ClientID ‖ 7×0x00 ‖ secret ‖ MMDDHHMMSS),
//     the ClientID hashed as given; a Server also accepts it over the
//     ClientID 0x00-padded to 10 bytes (wujunjenny/smgw checks both).
//   - AuthenticatorServer = MD5(Status ‖ AuthenticatorClient ‖ secret): a
//     Server hashes Status as one raw byte by default, or one ASCII digit
//     (ServerConfig.AuthStatus), the two forms of its one source. A Client
//     accepts those and the 4-byte form, and refuses anything else
//     (ErrAuthServer) unless InsecureSkipAuthServer: no SP implementation
//     read checks it.
//   - Login refusals: 10 for a body that does not parse or a LoginMode
//     outside 0–2, 21 for an unknown ClientID or wrong authenticator, 22
//     for a version above the Server's; a refusal carries a zero
//     AuthenticatorServer and closes. A second Login closes.
//   - LoginMode (send 0, receive 1, transmit 2) as SMGP: a receive-only
//     Client refuses Submit locally, a Server answers it with 11 and does
//     not Deliver to a send-only login.
//   - MsgID: 10 bytes, BCD per two sources, layout unknown: an opaque key
//     whose text (MsgID.String) is the 20 nibbles in hex, so Submit_Resp's
//     MsgID and a report's Id give the same string. Our Server issues ids
//     in SMGP's BCD layout (gateway code, MMDDHHMM in Beijing time, 6-digit
//     sequence).
//   - Status report (IsReport = 1): sent as the 121-byte labelled form
//     "id:" + 10 binary bytes + " sub:001 dlvrd:001 submit_date:… done_date:…
//     stat:… err:… txt:…" (Txt 0x00-padded). Read by fixed offsets with ' '
//     or ';' before each label (wujunjenny/smgw writes stray ';'), else by
//     labels, each optional, the Id as 10 binary bytes or 20 digits. A
//     Deliver whose report cannot be read is answered with Status 10.
//   - A Deliver that does not parse (framing intact) is answered 10 with
//     the MsgID peeked from its first 10 bytes; a Submit that does not parse
//     gets 10 and a zero MsgID. Only framing errors, requests before Login
//     and login failures close a connection.
//   - Requests this package does not serve (Forward at an SP or at our
//     Server, Payment_Request, Query_UserState, unknown ids) are answered
//     with their response id and Command_Status 11; Forward_Resp names the
//     MsgID. Query_UserState and Payment_Request are prepaid commands of
//     one gateway implementation whose layouts no source agrees on.
//   - Active_Test, Exit and their responses are bare headers; trailing
//     bytes are ignored. Timers and window are session.Config's defaults
//     (3 min idle, 60 s, 3 misses, W = 16): CNGP's are unknown.
//   - Octet strings: left-aligned, 0x00-padded on send; on receipt cut at
//     the first 0x00, trailing spaces dropped. A value longer than its
//     field is an encode error, never silently cut.
//
// No independent Go implementation of CNGP resolves as a module
// (protocols/interop-modules.md), so there is no interop test: the byte
// layouts are pinned by hand-built vectors (vectors_test.go).
package cngp
