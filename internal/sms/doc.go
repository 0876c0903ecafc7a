// Package sms holds what every SMS protocol shares about message text:
// codings (ASCII, GSM 03.38, UCS-2, GBK, Latin-1, binary) and the mapping to
// each protocol's coding byte, segmentation of long text with GSM 03.40
// concatenation headers (UDH), reassembly of incoming segments, and
// normalisation of telephone numbers.
//
// Nothing here does I/O or knows a protocol's PDU layout; every function is
// safe on arbitrary input (no panics), which the fuzz targets check.
package sms
