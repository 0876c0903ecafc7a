// Package sgip implements China Unicom's SGIP 1.2 on top of the shared
// session engine: every SP↔SMG PDU (Bind, Unbind, Submit, Deliver, Report,
// UserRpt, Trace and their responses), both directions of SGIP's connection
// model, and the 12-byte sequence number that doubles as the message id.
//
// SGIP runs one direction per connection. The SP dials the SMG, binds with
// LoginSPToSMG and submits (Client); the SMG dials the SP, binds with
// LoginSMGToSP and sends Deliver (MO), Report and UserRpt (the SP's
// Receiver). For the simulator the roles swap: NewSMGServer accepts SPs and
// NewSMGClient dials an SP's Receiver.
//
// The package moves bytes only: no database, no business rules. Text
// encoding and long-message splitting live in internal/sms; here a long
// message is just TP_udhi=1 with a UDH at the start of MessageContent.
//
// Wire layout references: /work/shared/protocols/sgip.md. Readings where the
// sources are silent or disagree, chosen to accept what real peers send:
//   - Header: 20 bytes (spec, SMSGate, go_sgip); netty-codec-sgip's 16 is
//     taken for a bug.
//   - Largest PDU: 2048 bytes, sent or accepted (spec §4, "≤ 2K"). A bigger
//     length field closes the connection (ErrMalformed); encoding a bigger
//     PDU fails (ErrInvalid). The spec's UserCount 1–100 does not fit 2 KB
//     (100 × 21 bytes alone is 2100): MaxUsers says how many do.
//   - Sequence_Number = (node id, MMDDHHMMSS, counter). The node id is
//     configured (SPNodeID builds an SP's 3AAAAQQQQQ). The time is Beijing
//     time (UTC+8) whatever the host's zone: the spec fixes its time fields
//     to "032+". The counter is shared by all connections of a Client (the
//     engine's per-connection counter is ignored, or two connections would
//     send the same triple in the same second), wraps at 2^32, and starts
//     at a random value instead of 0, so a restart within a second or a
//     second process with the same node id almost never repeats a triple.
//     A response echoes all 12 bytes and is matched on all three words.
//   - Message id: SGIP has none; a Submit's Sequence_Number identifies the
//     MT in its Report. Its canonical text (FormatSeq) is node, time and
//     counter in decimal joined by '-', the time zero-padded to 10 digits:
//     "3010012345-1120203225-1". SubmitResp.MsgID and Report.MsgID() give
//     the same string for the same MT. With several UserNumbers each
//     recipient gets its own Report with that id: match on (id, number).
//   - Text fields: left-aligned, 0x00-padded on send; on receipt cut at the
//     first 0x00 and trailing spaces dropped. A value longer than its field
//     is an encode error, never silently cut.
//   - MessageLength is 4 bytes on send. On receipt a Submit or Deliver whose
//     length only adds up with a 1-byte MessageLength (zysms writes it so)
//     is accepted too: no body fits both readings, since a 4-byte length
//     whose first byte is n ≥ 1 is at least n·2^24.
//   - LinkID variant: no public spec text or implementation defines it
//     (protocols/sgip.md). Assumed layout: an 8-byte text LinkID appended
//     after Reserve in Submit and Deliver, nothing else changed. It is sent
//     only with ClientConfig.LinkIDVariant (off by default); a LinkID given
//     to a standard session is dropped. Decoders read both layouts, told
//     apart by body length (exactly 8 bytes more), so a Receiver needs no
//     setting. An operator's interface document must confirm the layout.
//   - Responses are Result(1) + Reserve(8); a body with the Result byte
//     alone (zysms' Bind_Resp) is accepted.
//   - Report must be 44 bytes: one without its SubmitSequenceNumber (zysms
//     sends 32) cannot be matched and is refused with Result 5.
//   - Bind is refused with Result 1 for bad credentials or a refused source
//     address (ServerConfig.Auth sees both), 4 for a LoginType the role
//     does not serve, 5 for a body that does not parse; each closes the
//     connection. A second Bind gets Result 2 and the session stays.
//   - A body that does not parse behind intact framing gets Result 5 and
//     the connection stays; framing errors, requests before Bind and
//     command ids outside the spec close it. A spec command the connection
//     does not serve (a Submit to the SP's Receiver, a Deliver to the SMG)
//     gets Result 30 "function not provided" (spec §3.7.2 asks for "an
//     error response" without naming one); a Trace there gets a Trace_Resp
//     with no nodes.
//   - Idle: a Server closes a connection quiet for Session.IdleHeartbeat
//     [60 s, spec §3.7.2]. A Client unbinds after IdleClose [55 s, just under
//     the SMG's 60 s] and reconnects on the next request; meanwhile its
//     Stats report no session (Connected 0) and Available stays true.
//   - Unbind belongs to the side that opened the connection: a Server sends
//     none when it closes.
//   - Window: 16 outstanding requests per connection by default; the spec
//     allows up to 32 (§3.7.2), set ClientConfig.Window to use them.
//   - Response timeout 30 s (spec §3.7.2), then the engine resends with the
//     same Sequence_Number, which the spec tells receivers to drop if the
//     first copy arrived.
//   - Trace_Resp: Count, then Count records of Result(1) NodeId(6)
//     ReceiveTime(16) SendTime(16) Reserve(8) — the spec text repeats every
//     field after Count (SMSGate models one node); times are 16 bytes
//     (size column) though described as 12 characters.
//   - Result codes are the spec's (21–33 included), not go_sgip's, whose
//     iota slip numbers them from 33.
//   - A Submit's empty CorpId is filled by the Client from the QQQQQ of an
//     SP node id (spec §3.3: the same corp code).
//   - UserRpt without a UserRptHandler is logged and answered 0.
//   - Duplicates (spec §3.7.2): a Server remembers, per login name, the
//     Sequence_Numbers of Submit, Deliver, Report and UserRpt answered
//     ResultOK for 6 minutes (at most 65536). A resend with the same body is
//     answered again without reaching the handler; one arriving while the
//     first is still handled is dropped (its answer is coming); the same
//     number with a different body gets Result 9. Failures are forgotten so
//     that a retry is processed. Numbers whose time word is 0 (not per spec;
//     zysms sends them) are not checked.
package sgip
