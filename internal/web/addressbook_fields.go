package web

import (
	"net/http"
	"slices"
	"strings"
)

// Contacts' custom fields (单位, 地址, 生日 …): typed in the contact form as
// name/value pairs, read from a file's extra columns by their headers,
// exported as columns after number, name and note, and filled into a group
// send's {field}. A field with an empty value is no field.

const (
	maxFields     = 20  // per contact
	maxFieldName  = 20  // runes
	maxFieldValue = 200 // runes
)

// fieldPair is one field of the contact form.
type fieldPair struct{ Name, Value string }

// reservedField says whether a name is one of the contact's own columns
// (or one a file's header would read as one), which a field may not take.
func reservedField(name string) bool {
	for _, list := range [][]string{numberHeaders, nameHeaders, noteHeaders, {"note", "备注", "number", "号码"}} {
		if slices.ContainsFunc(list, func(h string) bool { return strings.EqualFold(h, name) }) {
			return true
		}
	}
	return false
}

// fieldName checks a field's name as typed or read from a header; "" when
// it cannot be one.
func fieldName(name string) string {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > maxFieldName || reservedField(name) || strings.ContainsAny(name, "{}") {
		return ""
	}
	return name
}

// formFields reads the contact form's fields (fname/fvalue pairs, in
// order): the pairs as typed (to show again) and the map to store, or the
// catalogue key and argument of what is wrong. A pair with both halves
// empty is no pair; one with an empty value removes the field.
func formFields(r *http.Request) (pairs []fieldPair, fields map[string]string, errKey, errArg string) {
	names, values := r.PostForm["fname"], r.PostForm["fvalue"]
	fields = map[string]string{}
	for i, raw := range names {
		val := ""
		if i < len(values) {
			val = strings.TrimSpace(values[i])
		}
		raw = strings.TrimSpace(raw)
		if raw == "" && val == "" {
			continue
		}
		pairs = append(pairs, fieldPair{Name: raw, Value: val})
		name := fieldName(raw)
		switch {
		case errKey != "":
		case name == "":
			errKey, errArg = "book.err.field_name", raw
		case slices.ContainsFunc(pairs[:len(pairs)-1], func(p fieldPair) bool { return strings.TrimSpace(p.Name) == name }):
			errKey, errArg = "book.err.field_dup", name
		case len([]rune(val)) > maxFieldValue:
			errKey, errArg = "book.err.field_long", name
		case val != "":
			fields[name] = val
		}
	}
	if errKey == "" && len(fields) > maxFields {
		errKey = "book.err.field_many"
	}
	return pairs, fields, errKey, errArg
}

// pairsOf lists a contact's fields in the group's column order.
func pairsOf(cols []string, fields map[string]string) []fieldPair {
	var out []fieldPair
	for _, c := range cols {
		if v, ok := fields[c]; ok {
			out = append(out, fieldPair{Name: c, Value: v})
		}
	}
	return out
}

// valuesOf lists a contact's values under the group's columns.
func valuesOf(cols []string, fields map[string]string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = fields[c]
	}
	return out
}

// fileFields finds a header's field columns: every column not the
// number's, the name's or the note's whose header can name a field (the
// first of a name repeated), by index.
func fileFields(header []string, taken ...int) map[int]string {
	out := map[int]string{}
	seen := map[string]bool{}
	for i, h := range header {
		name := fieldName(h)
		if name == "" || slices.Contains(taken, i) || seen[name] {
			continue
		}
		seen[name] = true
		out[i] = name
	}
	return out
}

// cutRunes is s cut to at most n runes.
func cutRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
