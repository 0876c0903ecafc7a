// Package smpp implements SMPP 3.4 and 3.3 on top of the shared session
// engine: every PDU an ESME and an SMSC exchange, the ESME-side Client
// (transceiver, or transmitter + receiver per connection slot, outbind),
// the SMSC-side Server, delivery receipts (text and TLVs), message-id
// format mapping, and the three ways of carrying long messages (UDH, sar_*
// TLVs, message_payload).
//
// The package moves bytes: it knows no database and no business rules.
// Text encoding and splitting live in internal/sms.
//
// Wire layout references: /work/shared/protocols/smpp.md. Readings where
// the sources are silent or disagree, chosen to accept what real peers send
// and to send what the strictest of them parse:
//
// Framing
//   - Largest PDU: 64 KiB (linxGnu/gosmpp's limit; the spec states none).
//     A command_length below 16 or above it closes the connection.
//   - sequence_number runs 1..0x7FFFFFFF and wraps to 1 (spec §3.2).
//   - An ESME matches any bind_*_resp to its bind whatever its
//     sequence_number: fiorix's smpptest answers binds from its own counter,
//     and fiorix's and gosmpp's ESMEs ignore the number. The bind is the
//     only request outstanding then, always sequence 1 on its connection.
//   - Nothing is resent after a response timeout (the engine's Resends is
//     set to none): SMPP defines no retransmission and an SMSC takes a
//     resent submit_sm as a second message. The request fails with
//     session.ErrTimeout instead. (Server side today; on the client side
//     internal/session's NewConn re-applies defaults and turns "none" into
//     2 resends until that is fixed — TestSubmitNotResent skips meanwhile.)
//   - Defaults where the spec fixes nothing: window 10 (the spec's
//     guideline), enquire_link after 30 s idle, response timeout 30 s,
//     30 s to bind (server) or to send outbind (client outbind listener).
//
// Fields
//   - C-Octet String maxima include the NUL, as in the spec tables. An
//     over-long or unterminated string is refused with the field's status
//     (ESME_RINVSRCADR, ESME_RINVDSTADR, ESME_RINVSYSID …), a body cut short
//     with ESME_RINVCMDLEN. A string that ends the body may lack its NUL
//     (message_id of responses, system_id of bind_resp, address_range …):
//     nothing follows that it could be confused with.
//   - Time fields are encoded empty or as exactly 16 characters; any length
//     up to 16 is decoded.
//   - sm_length is at most 254 on encode (spec), 255 is decoded; a
//     short_message beside message_payload is refused on encode; on decode
//     message_payload wins (the short_message is then at best a copy).
//   - TLVs are kept in wire order, unknown tags and duplicates included, so
//     a PDU re-encodes byte for byte; typed getters read the first
//     occurrence and check the spec length. A TLV that does not fit, or
//     1–3 trailing bytes, is ESME_RINVOPTPARSTREAM. PDUs without TLVs in
//     3.4 (binds, query/cancel/replace, header-only ones) ignore trailing
//     bytes.
//   - Responses decode without a body whatever their status. submit_sm_resp
//     is sent without one on error (spec §4.4.2); bind_*_resp keeps
//     system_id on error, because gosmpp cannot parse a bodiless
//     bind_transceiver_resp; refusals of other requests carry their
//     response's (empty) body.
//   - A generic_nack answering our request becomes that response's Status;
//     one that says ESME_ROK becomes ESME_RUNKNOWNERR so it cannot pass for
//     success.
//
// Versions
//   - interface_version ≥ 0x34 is served as 3.4, anything lower as 3.3 (spec
//     §5.2.4). A bind_resp without sc_interface_version keeps the
//     configured version: many 3.4 SMSCs (smpptest among them) omit it.
//   - 3.3 has no TLVs: they are left out on encode and ignored on decode.
//     bind_transceiver, data_sm and alert_notification do not exist: they
//     are refused on encode, a 3.3 server (or a 3.3 session on a 3.4
//     server) answers them with generic_nack ESME_RINVCMDID and keeps the
//     connection open for a transmitter/receiver bind. Client.Submit on 3.3
//     refuses a message needing message_payload or sar_* rather than send
//     it without them.
//
// Receipts and message ids
//   - A deliver_sm / data_sm is a receipt when its esm_class message type is
//     0x04 (SMSC delivery receipt), 0x08 (SME delivery ack) or 0x20
//     (intermediate notification, never Final), or when it carries
//     receipted_message_id whatever its esm_class (that TLV exists only in
//     receipts). Text that merely looks like a receipt in a plain MO is not.
//   - The text is parsed tolerantly: labels in any case, "submit date",
//     "submit_date" and "submitdate", fields missing or reordered, extra
//     spaces, commas or newlines between fields, unknown "label:value"
//     pairs skipped; everything after "text:" is text. It is read from
//     short_message, or message_payload when that is empty, in UCS2 when
//     data_coding says so.
//   - receipted_message_id and message_state win over the text's id and
//     stat; the text's values stay in Receipt.TextID / TextStat.
//     receipted_message_id is read in the submit_sm_resp's form (the spec
//     defines it as that id), the text id in the text's form: IDFormat says
//     which base each side uses (as-is, dec, hex, hex→dec, dec→hex) and
//     reduces both to one key without leading zeros, hex in lower case,
//     keeping the response's base so keys still read like the SMSC's ids.
//     An id that does not parse in the configured base stays as it is.
//
// Long messages
//   - When one segment carries both a UDH concatenation element (esm_class
//     0x40) and sar_* TLVs, the UDH wins and the TLVs are ignored: the UDH
//     is what the handset receives and has to be stripped anyway. A UDH
//     without a concatenation element is stripped and sar_* then apply.
//   - sar_msg_ref_num is 16-bit: decoded as a 16-bit reference. LongSAR
//     keeps a segment's UDH when it holds more than one concatenation
//     element, which the TLVs cannot carry.
//
// Sessions
//   - Server.Auth returns the refusal status, so an unknown system_id
//     (ESME_RINVSYSID) and a wrong password (ESME_RINVPASWD) differ. A
//     refused bind closes the connection; a second bind on a bound one gets
//     ESME_RALYBND and the connection stays.
//   - Before bind, requests get their response with ESME_RINVBNDSTS
//     (enquire_link excepted, answered in any state). A receiver's
//     submit_sm, data_sm, submit_multi, query/cancel/replace get
//     ESME_RINVBNDSTS; ServerConn.Deliver to a transmitter fails with
//     ErrBindMode without sending. Unknown commands get generic_nack
//     ESME_RINVCMDID on both sides.
//   - A request body that does not parse is answered with its DecodeError's
//     status and the connection kept (its framing was intact).
//   - data_sm from an ESME reaches ServerHandler.Submit as a SubmitSM (its
//     answer goes back as data_sm_resp); data_sm from an SMSC reaches the
//     DeliverHandler as a DeliverSM. Content stays in message_payload.
//   - submit_multi without a SubmitMultiHandler is fanned out to Submit per
//     SME destination; distribution lists fail with ESME_RINVDLNAME.
//   - Outbind: the ESME checks the outbind's password (ClientConfig.Password
//     unless OutbindAuth is set), refuses by disconnecting (spec §4.1.7.1)
//     and otherwise binds as a receiver on that connection. Server.Outbind
//     sends outbind as the first PDU, sequence 1; it is never answered.
package smpp
