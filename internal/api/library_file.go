package api

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Files sent to the library's and the customers' imports: CSV or TXT,
// as the body (text/csv, text/plain) or as the field "file" of a
// multipart form, read with the console's rules (internal/web/importfile.go,
// which the API cannot import): UTF-8 with or without a byte-order mark,
// or GB18030 (GBK) as Excel on a Chinese Windows saves CSV; CSV with
// commas, or tabs or semicolons when the first line has no comma; TXT one
// row a line, cells separated by a tab or a comma (ASCII or full-width).
// XLSX is read by the console only: save the sheet as CSV for the API.

const (
	maxImportFile = 20 << 20 // bytes of one file, as the console
	maxImportRows = 200_000  // data rows of one file, as the console
	maxJSONImport = 10_000   // entries of one JSON import
	maxImportBody = 16 << 20 // bytes of one JSON import
	maxListed     = 1000     // invalid rows an answer lists
)

// importFile is an uploaded file: its name (for its kind) and bytes.
type importFile struct {
	name string
	data []byte
}

// isFileImport says whether the request carries a file rather than JSON.
func isFileImport(r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "text/csv" || ct == "text/plain" || ct == "multipart/form-data"
}

// readImportFile reads the file of the request, or answers why not
// (400, 413, 415) and returns false.
func readImportFile(w http.ResponseWriter, r *http.Request) (*importFile, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxImportFile+1<<20)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	f := &importFile{name: "body.csv"}
	if ct == "text/plain" {
		f.name = "body.txt"
	}
	var rd io.Reader = r.Body
	if ct == "multipart/form-data" {
		err := r.ParseMultipartForm(1 << 20)
		if r.MultipartForm != nil {
			defer func() { _ = r.MultipartForm.RemoveAll() }()
		}
		if err != nil {
			tooBigOr(w, err, "invalid_file", "the multipart form cannot be read: "+err.Error())
			return nil, false
		}
		file, hdr, err := r.FormFile("file")
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_file", `the form has no field "file"`)
			return nil, false
		}
		defer file.Close()
		f.name, rd = hdr.Filename, file
	}
	data, err := io.ReadAll(io.LimitReader(rd, maxImportFile+1))
	switch {
	case err != nil:
		tooBigOr(w, err, "invalid_file", "the file cannot be read: "+err.Error())
		return nil, false
	case len(data) > maxImportFile:
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the file is over %d MB", maxImportFile>>20))
		return nil, false
	case len(bytes.TrimSpace(data)) == 0:
		writeError(w, http.StatusBadRequest, "empty_file", "the file is empty")
		return nil, false
	}
	ext := strings.ToLower(filepath.Ext(f.name))
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}) || ext == ".xlsx" || ext == ".xls":
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_file", "Excel files are imported in the console; save the sheet as CSV (UTF-8 or GBK) for the API")
		return nil, false
	case ext != ".csv" && ext != ".txt" && ext != "":
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_file", fmt.Sprintf("%s files cannot be imported: send CSV or TXT", ext))
		return nil, false
	}
	f.data = data
	return f, true
}

func tooBigOr(w http.ResponseWriter, err error, code, msg string) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the file is over %d MB", maxImportFile>>20))
		return
	}
	writeError(w, http.StatusBadRequest, code, msg)
}

// fileError is a whole file refused: its code and words (400).
type fileError struct{ code, msg string }

func (e *fileError) Error() string { return e.msg }

// writeFileErr answers an error reading an uploaded file: the file's own
// fault (a *fileError) is a 400 with its code, anything else the server's.
func (s *Server) writeFileErr(w http.ResponseWriter, r *http.Request, err error) {
	if fe, ok := errors.AsType[*fileError](err); ok {
		writeError(w, http.StatusBadRequest, fe.code, fe.msg)
		return
	}
	s.writeErr(w, r, err)
}

// rows calls fn with each row that is not empty (line: 1-based, cells
// trimmed). A *fileError is the file's fault.
func (f *importFile) rows(fn func(line int, cells []string) error) error {
	var r io.Reader = bytes.NewReader(f.data)
	switch {
	case bytes.HasPrefix(f.data, []byte("\xEF\xBB\xBF")):
		r = bytes.NewReader(f.data[3:])
	case !utf8.Valid(f.data):
		r = transform.NewReader(r, simplifiedchinese.GB18030.NewDecoder())
	}
	emit := func(line int, rec []string) error {
		cells := make([]string, 0, len(rec))
		empty := true
		for _, c := range rec {
			c = strings.TrimSpace(strings.TrimPrefix(c, "\uFEFF"))
			empty = empty && c == ""
			cells = append(cells, c)
		}
		if empty {
			return nil
		}
		return fn(line, cells)
	}
	if strings.ToLower(filepath.Ext(f.name)) == ".csv" {
		br := bufio.NewReader(r)
		first, _ := br.Peek(4096)
		head, _, _ := bytes.Cut(first, []byte("\n"))
		cr := csv.NewReader(br)
		cr.FieldsPerRecord, cr.LazyQuotes, cr.TrimLeadingSpace = -1, true, true
		if !bytes.ContainsRune(head, ',') {
			switch {
			case bytes.ContainsRune(head, '\t'):
				cr.Comma = '\t'
			case bytes.ContainsRune(head, ';'):
				cr.Comma = ';'
			}
		}
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					return &fileError{"invalid_file", fmt.Sprintf("CSV line %d: %v", pe.Line, pe.Err)}
				}
				return &fileError{"invalid_file", "the file cannot be read: " + err.Error()}
			}
			line, _ := cr.FieldPos(0)
			if err := emit(line, rec); err != nil {
				return err
			}
		}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		var cells []string
		switch {
		case strings.Contains(text, "\t"):
			cells = strings.Split(text, "\t")
		case strings.ContainsAny(text, ",，"):
			cells = strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '，' })
		default:
			cells = []string{text}
		}
		if err := emit(line, cells); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return &fileError{"invalid_file", "the file cannot be read: " + err.Error()}
	}
	return nil
}

// isHeader says whether the body's first row is a header: its first
// cell is a column title rather than a number.
func isHeader(bodyLine int, first string) bool {
	return bodyLine == 1 && strings.Trim(first, "0123456789+-() ") != ""
}

// firstLine is ?line=: the number in the whole file of the body's first
// line, when a client sends a big file in parts (hongyan admin does, each
// part after the first starting with the file's header row again), so
// that the answer's line numbers are the file's. 1 when not given.
func firstLine(r *http.Request) (int, bool) {
	v := r.URL.Query().Get("line")
	if v == "" {
		return 1, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 1
}

// badRow is a row an import could not use.
type badRow struct {
	Line   int    `json:"line"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

// importResult is an import's answer.
type importResult struct {
	Added   int      `json:"added"`
	Updated int      `json:"updated"`
	Invalid []badRow `json:"invalid"`
	// InvalidCount counts every bad row; Invalid lists the first maxListed.
	InvalidCount int `json:"invalid_count"`
}

func (res *importResult) bad(line int, value, reason string) {
	res.InvalidCount++
	if len(res.Invalid) < maxListed {
		res.Invalid = append(res.Invalid, badRow{Line: line, Value: value, Reason: reason})
	}
}

// refuseInvalid answers a request none of whose entries was stored.
func refuseInvalid(w http.ResponseWriter, code, what string, res *importResult) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"error":         map[string]string{"code": code, "message": fmt.Sprintf("%d invalid %s (listed in \"invalid\"); nothing was stored", res.InvalidCount, what)},
		"invalid":       res.Invalid,
		"invalid_count": res.InvalidCount,
	})
}
