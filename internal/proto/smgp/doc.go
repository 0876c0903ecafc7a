// Package smgp implements China Telecom's SMGP 3.0, with the 2.0 and 1.3
// differences, on top of the shared session engine: every SP↔SMGW PDU
// (Login, Submit, Deliver, Active_Test, Exit, Query and their responses),
// the SP-side Client, the SMGW-side Server, authentication both ways, the
// BCD MsgID and status reports carried inside Deliver.
//
// The package moves bytes only: no database, no business rules. Text
// encoding and long-message splitting live in internal/sms; here a long
// message is a UDH at the start of MsgContent plus, in 3.0, the TP_udhi
// (and PkTotal/PkNumber) TLVs, set by the caller.
//
// Wire layout references: /work/shared/protocols/smgp.md and
// test-vectors.md §6–7. Readings where the sources are silent or disagree,
// chosen to accept what real peers send:
//   - Largest PDU: 2048 bytes, sent or accepted (go_smgp's limit; the spec
//     text read states none). A bigger or sub-header PacketLength closes
//     the connection (session.ErrMalformed); encoding a bigger PDU fails
//     (ErrInvalid). The spec's 100 destinations do not fit: MaxDests says
//     how many do (91 with empty content).
//   - Versions, per connection (ClientConfig.Version; a Server serves each
//     client in the version it logged in with, if not above its own):
//     3.0 = fixed bodies + TLVs; 2.0 = 3.0's fixed bodies, no TLVs (the
//     V2.0 spec was not found; 3.0's preface says it derives from 2.0);
//     1.3 = no FixedFee in Submit (SMSGate, one source), no TLVs. Login,
//     Deliver, the responses and Query are the same in all three. Version
//     bytes in between read as the layout below them (0x21 as 2.0).
//   - TLVs are kept in order, unknown tags verbatim. Before 3.0 they are
//     never sent (dropped on encode), but a clean TLV walk after a 1.3/2.0
//     fixed body is kept, and trailing bytes that do not walk are ignored.
//     In 3.0 a broken TLV area is a structure error. Before 3.0 there is
//     no TP_udhi: the receiver finds a UDH from the content (sms.ParseUDH).
//   - AuthenticatorClient hashes the ClientID as given (unpadded), as
//     clz619/smgp3; a Server also accepts the digest over the ClientID
//     0x00-padded to 8 bytes (wujunjenny/smgw checks both). The two agree
//     for 8-character ids.
//   - AuthenticatorServer: the Status width inside the MD5 is unknown. A
//     Server sends the 4-byte reading by default (test vector §6), or the
//     1-byte one with ServerConfig.StatusWidth = StatusWidth1. A Client
//     accepts 4-byte, 1-byte and one ASCII digit (wujunjenny/smgw with
//     StatusIsInt off) and refuses anything else (ErrAuthServer) unless
//     InsecureSkipAuthServer is set: no SP implementation read checks it,
//     so an SMGW that fills it some other way needs that switch.
//   - Login_Resp Status is 4 bytes (spec, wujunjenny/smgw, SMSGate).
//   - Login refusals: 10 for a body that does not parse, a LoginMode
//     outside 0–2 or a version below 1.3; 21 for an unknown ClientID or a
//     wrong authenticator (the spec has no separate "unknown account");
//     22 for a version above the Server's. A refusal carries a zero
//     AuthenticatorServer and closes the connection. A second Login closes.
//   - LoginMode (send 0, receive 1, transmit 2): a Client defaults to
//     transmit (LoginMode's zero value, so its Go numbering is not the
//     wire's). A receive-only Client refuses Submit locally (ErrLoginMode);
//     a Server answers a Submit on a receive-only login with Status 11
//     (command id error: the spec names no better code) and refuses to
//     Deliver to a send-only one (ErrLoginMode). A Client takes Delivers
//     whatever its mode.
//   - MsgID: 10 BCD bytes, treated as an opaque key. Its canonical text
//     (MsgID.String) is the 20 nibbles as lowercase hex — the 20 digits for
//     a BCD id — so Submit_Resp's MsgID and a report's Id give the same
//     string; ids that are not BCD still map one-to-one. MsgIDGenerator
//     stamps MMDDHHMM in Beijing time (UTC+8) whatever the host's zone, and
//     wraps its sequence at 999999. One MsgID per Submit, whatever the
//     number of destinations (Submit_Resp has one): each recipient's
//     report carries it, so match on (id, number).
//   - Status report (IsReport = 1): sent as the 122-byte labelled form of
//     go_smgp/SMSGate with lower-case labels ("id:… sub:… dlvrd:… submit
//     date:… done date:… stat:… err:… text:…"; zysms needs lower case),
//     the Id as 10 binary bytes, empty Sub/Dlvrd sent as "001", empty Err
//     as "000", Text 0x00-padded to 20. Read tolerantly (ParseReport): the
//     canonical layout by fixed offsets (labels compared case-insensitively,
//     "submit_date"/"done_date" too), anything else by labels in spec
//     order, each optional ("submit date", "submit_date", "submitdate";
//     "text", "txt"); the Id as 10 binary bytes or as 20 hex/BCD digits.
//     Values are trimmed of spaces and 0x00; Stat is kept verbatim. A
//     Deliver whose report cannot be read is answered with Status 10.
//   - Deliver_Resp and a refused Submit_Resp: a Deliver whose body does not
//     parse (framing intact) is answered Status 10 with the MsgID peeked
//     from its first 10 bytes; a Submit that does not parse gets Status 10
//     and a zero MsgID. The connection stays: only framing errors, requests
//     before Login and login failures close it.
//   - Client.Submit sends MsgType 6 (MT) when the caller leaves it 0 (MO):
//     an SP never submits MO.
//   - Active_Test_Resp and Exit/Exit_Resp have no body; trailing bytes on
//     any bodiless PDU are ignored. Either side may send Exit; the other
//     answers and closes. Client.Close sends Exit after in-flight requests;
//     Server.Close sends Exit to every logged-in client.
//   - Timers and window follow the spec through session.Config defaults:
//     Active_Test after C = 3 min idle, T = 60 s response timeout, N = 3,
//     window W = 16.
//   - Forward, the GNS route and the prepaid commands are not modelled: a
//     Server logs and ignores them (SMGP has no generic NACK), a Client too.
//   - Octet strings: left-aligned, 0x00-padded on send; on receipt cut at
//     the first 0x00, trailing spaces dropped. A value longer than its field
//     is an encode error, never silently cut.
//
// Interop (interop_test.go) was tested against github.com/zhiyin2021/zysms
// v1.0.89, the one independent SMGP implementation the module proxy serves;
// its departures from the spec are listed there.
package smgp
