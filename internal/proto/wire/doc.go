// Package wire holds the codec pieces the protocol packages (cmpp, sgip,
// smgp, cngp, smpp) have in common, so each package keeps only what is its
// own: the PDU layouts, the version rules and the session glue.
//
//   - Enc and Dec: the append-style encoder and the bounds-checked decoder
//     of fixed-layout bodies (big-endian integers, 0x00-padded text fields),
//     with each package's error wording ("smgp submit: …").
//   - TLV and TLVs: the 2-byte-tag, 2-byte-length optional parameters of
//     SMGP and CNGP (each package keeps its own tag table).
//   - ReportFormat: the "id:… sub:… dlvrd:… submit date:… done date:…
//     stat:… err:… text:…" status report carried in an SMGP or CNGP
//     Deliver, with the labels and separators of each as parameters.
//   - 10-byte BCD message ids, the MMDDHHMMSS login timestamp and the MD5
//     digests of the login handshakes; LoginMode of SMGP and CNGP.
//
// Protocol packages import wire; wire imports none of them.
package wire
