package smpp

import (
	"fmt"
	"strings"
)

// receipt text labels; a label may be written with spaces, '_' or '-'
// between its words, in any case.
var receiptLabels = []struct {
	field string
	words []string
}{
	{"id", []string{"id"}},
	{"sub", []string{"sub"}},
	{"dlvrd", []string{"dlvrd"}},
	{"dlvrd", []string{"dlvr"}},
	{"submit date", []string{"submit", "date"}},
	{"done date", []string{"done", "date"}},
	{"stat", []string{"stat"}},
	{"err", []string{"err"}},
	{"err", []string{"error"}},
	{"text", []string{"text"}},
	{"text", []string{"txt"}},
}

// ParseReceiptText reads the receipt text of spec Appendix B,
// "id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…",
// tolerantly: labels in any case, "submit_date"/"submitdate" variants,
// fields missing or reordered, extra spaces, commas between fields,
// unknown "label:value" pairs skipped. Everything after "text:" is the
// text. ok is false when neither an id nor a stat was found.
func ParseReceiptText(s string) (r *Receipt, ok bool) {
	r = new(Receipt)
	type mark struct {
		field      string
		start, val int // label start, value start
	}
	var buf [12]mark
	marks := buf[:0]
	lower := asciiLower(s) // same length as s: indices carry over
	for i := 0; i < len(lower); i++ {
		if i > 0 && !isSep(lower[i-1]) {
			continue
		}
		field, val := matchLabel(lower, i)
		if val < 0 {
			continue
		}
		marks = append(marks, mark{field, i, val})
		if field == "text" {
			break // the rest is message text, whatever it contains
		}
		i = val - 1
	}
	for k, m := range marks {
		end := len(s)
		if k+1 < len(marks) {
			end = marks[k+1].start
		}
		v := strings.Trim(s[m.val:end], " \t\r\n,;")
		var dst *string
		switch m.field {
		case "id":
			dst = &r.TextID
		case "sub":
			dst = &r.Sub
		case "dlvrd":
			dst = &r.Dlvrd
		case "submit date":
			dst = &r.SubmitDate
		case "done date":
			dst = &r.DoneDate
		case "stat":
			dst = &r.TextStat
		case "err":
			dst = &r.Err
		case "text":
			dst, v = &r.Text, strings.TrimLeft(s[m.val:], " ")
		default:
			continue // an unknown label only ends the previous value
		}
		if *dst == "" {
			*dst = v // the first occurrence counts
		}
	}
	r.ID, r.Stat, r.State = r.TextID, r.TextStat, StateOf(r.TextStat)
	return r, r.TextID != "" || r.TextStat != ""
}

// asciiLower lowers A–Z only. strings.ToLower may change the length (it
// rewrites invalid UTF-8), which would break indexing s by lower's offsets.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func isSep(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ';'
}

// matchLabel matches a receipt label at lower[i:], then optional spaces
// and ':'. It returns the field and where its value starts, or val -1. An
// unknown "word:" is matched as field "" so that it ends the previous value.
func matchLabel(lower string, i int) (field string, val int) {
	for _, l := range receiptLabels {
		j, ok := i, true
		for w, word := range l.words {
			if w > 0 {
				for j < len(lower) && (lower[j] == ' ' || lower[j] == '_' || lower[j] == '-') {
					j++
				}
			}
			if !strings.HasPrefix(lower[j:], word) {
				ok = false
				break
			}
			j += len(word)
		}
		if !ok {
			continue
		}
		for j < len(lower) && lower[j] == ' ' {
			j++
		}
		if j < len(lower) && lower[j] == ':' {
			return l.field, j + 1
		}
	}
	j := i
	for j < len(lower) && (lower[j] >= 'a' && lower[j] <= 'z' || lower[j] == '_') {
		j++
	}
	if j > i && j < len(lower) && lower[j] == ':' {
		return "", j + 1
	}
	return "", -1
}

// FormatReceiptText writes r in the spec's Appendix B form, as SMSCs do:
// "id:… sub:001 dlvrd:001 submit date:… done date:… stat:… err:… text:…".
// Empty Sub/Dlvrd/Err default to 001/001 (001/000 when not delivered)/000.
func FormatReceiptText(r *Receipt) string {
	id := r.TextID
	if id == "" {
		id = r.ID
	}
	stat := r.TextStat
	if stat == "" {
		stat = r.Stat
	}
	if stat == "" {
		stat = StatOf(r.State)
	}
	sub, dlvrd, errc := r.Sub, r.Dlvrd, r.Err
	if sub == "" {
		sub = "001"
	}
	if dlvrd == "" {
		dlvrd = "000"
		if StateOf(stat) == StateDelivered {
			dlvrd = "001"
		}
	}
	if errc == "" {
		errc = "000"
	}
	return fmt.Sprintf("id:%s sub:%s dlvrd:%s submit date:%s done date:%s stat:%s err:%s text:%s",
		id, sub, dlvrd, r.SubmitDate, r.DoneDate, stat, errc, r.Text)
}
