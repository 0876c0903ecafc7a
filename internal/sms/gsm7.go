package sms

import (
	"fmt"
	"strings"
)

// gsmEscape introduces a character of the extension table.
const gsmEscape = 0x1B

// gsmBasic is the GSM 03.38 default alphabet; index = septet. 0x1B is the
// escape and has no character of its own.
var gsmBasic = [128]rune{
	'@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å',
	'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', 0, 'Æ', 'æ', 'ß', 'É',
	' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
	'¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
	'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
	'¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
}

// gsmExt is the GSM 03.38 extension table (after an escape): septet → rune.
var gsmExt = map[byte]rune{
	0x0A: '\f', 0x14: '^', 0x28: '{', 0x29: '}', 0x2F: '\\',
	0x3C: '[', 0x3D: '~', 0x3E: ']', 0x40: '|', 0x65: '€',
}

// gsmEncode maps a rune to its septet, or to escape<<8|septet for the
// extension table. Built from the two tables so they cannot disagree.
var gsmEncode = func() map[rune]uint16 {
	m := make(map[rune]uint16, 128+len(gsmExt))
	for i, r := range gsmBasic {
		if i != gsmEscape {
			m[r] = uint16(i)
		}
	}
	for b, r := range gsmExt {
		m[r] = gsmEscape<<8 | uint16(b)
	}
	return m
}()

// GSM7Len is the number of septets text takes in the GSM 03.38 default
// alphabet (extension characters count 2), and whether every rune has a form
// there. Callers use it to prefer GSM7 over UCS2 on SMPP.
func GSM7Len(text string) (septets int, ok bool) {
	for _, r := range text {
		v, found := gsmEncode[r]
		if !found {
			return septets, false
		}
		septets++
		if v > 0xFF {
			septets++
		}
	}
	return septets, true
}

func appendGSM7(dst []byte, text string) ([]byte, error) {
	for i, r := range text {
		v, ok := gsmEncode[r]
		if !ok {
			return nil, unencodable(text, i, r, GSM7)
		}
		if v > 0xFF {
			dst = append(dst, gsmEscape)
		}
		dst = append(dst, byte(v))
	}
	return dst, nil
}

// decodeGSM7 reads unpacked septets. An escape followed by a septet the
// extension table lacks shows the basic character (03.38: "display the
// character from the default alphabet"); escape-escape shows a space (03.38
// reserves it for a further table and says to display a space). strict
// rejects octets above 0x7F and a trailing escape; otherwise they become
// U+FFFD.
func decodeGSM7(b []byte, strict bool) (string, error) {
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); i++ {
		x := b[i]
		switch {
		case x > 0x7F:
			if strict {
				return "", fmt.Errorf("%w: octet 0x%02x at offset %d is not a GSM 7-bit septet", ErrUndecodable, x, i)
			}
			sb.WriteRune('\uFFFD')
		case x != gsmEscape:
			sb.WriteRune(gsmBasic[x])
		case i+1 == len(b):
			if strict {
				return "", fmt.Errorf("%w: GSM 7-bit escape at the end (offset %d)", ErrUndecodable, i)
			}
			sb.WriteRune('\uFFFD')
		default:
			i++
			y := b[i]
			if r, ok := gsmExt[y]; ok {
				sb.WriteRune(r)
			} else if y == gsmEscape {
				sb.WriteByte(' ')
			} else if y > 0x7F {
				if strict {
					return "", fmt.Errorf("%w: octet 0x%02x at offset %d is not a GSM 7-bit septet", ErrUndecodable, y, i)
				}
				sb.WriteRune('\uFFFD')
			} else {
				sb.WriteRune(gsmBasic[y])
			}
		}
	}
	return sb.String(), nil
}
