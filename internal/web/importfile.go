package web

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Reading the files people import (W2, M7): CSV, TXT and XLSX, one number
// per line or a number and the fields of a template per row. Rows are
// streamed to a callback, never collected first, and progress is counted
// as they go (bytes of a text file, rows of a sheet), so 100,000 numbers
// take a second or two and the page can show how far it got.
//
// Text files may be UTF-8 (with or without a byte-order mark) or GB18030
// (GBK), which is what Excel on a Chinese Windows writes when saving CSV.
// XLSX is read with github.com/xuri/excelize/v2 (the one widely used,
// maintained Go library for the format; pure Go), first worksheet only,
// cells as stored rather than as displayed (so 13800138000 never becomes
// 1.38E+10).

const (
	maxUpload  = 20 << 20 // bytes of one uploaded file
	maxRows    = 200_000  // data rows of one file
	maxColumns = 32       // cells of a row that are kept
	maxCell    = 500      // bytes of a cell that are kept
)

// fileError is a problem with a whole file, in the user's words: a
// catalogue key and its arguments.
type fileError struct {
	key  string
	args []any
}

func (e *fileError) Error() string { return fmt.Sprintf("%s %v", e.key, e.args) }

func badFile(key string, args ...any) error { return &fileError{key: key, args: args} }

// progress counts work done of a total (bytes or rows); both may grow.
type progress struct {
	done, total atomic.Int64
}

// fraction is done/total in [0, 1].
func (p *progress) fraction() float64 {
	t := p.total.Load()
	if t <= 0 {
		return 0
	}
	return min(float64(p.done.Load())/float64(t), 1)
}

// fileKind tells CSV, TXT and XLSX apart by name and, for a misnamed file,
// by its first bytes (an XLSX is a ZIP archive).
func fileKind(name string, data []byte) (string, error) {
	ext := strings.ToLower(filepath.Ext(name))
	isZip := bytes.HasPrefix(data, []byte("PK\x03\x04"))
	isOLE := bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0})
	switch {
	case ext == ".xls" || isOLE:
		return "", badFile("imp.err.xls")
	case ext == ".xlsx" || isZip:
		if !isZip {
			return "", badFile("imp.err.broken_xlsx")
		}
		return "xlsx", nil
	case ext == ".csv":
		return "csv", nil
	case ext == ".txt" || ext == "":
		return "txt", nil
	}
	return "", badFile("imp.err.kind", ext)
}

// readRows calls fn with each row of the file (line: 1-based line or row
// number; cells trimmed). Empty rows are skipped.
func readRows(ctx context.Context, name string, data []byte, p *progress, fn func(line int, cells []string) error) error {
	kind, err := fileKind(name, data)
	if err != nil {
		return err
	}
	if kind == "xlsx" {
		return readXLSX(ctx, data, p, fn)
	}
	return readText(ctx, kind, data, p, fn)
}

// countingReader counts the bytes read for the progress bar.
type countingReader struct {
	r io.Reader
	p *progress
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.done.Add(int64(n))
	return n, err
}

// textReader strips a UTF-8 byte-order mark, or decodes GB18030 when the
// file is not UTF-8.
func textReader(data []byte, p *progress) io.Reader {
	p.total.Store(int64(len(data)))
	var r io.Reader = &countingReader{r: bytes.NewReader(data), p: p}
	switch {
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		p.done.Add(3)
		r = &countingReader{r: bytes.NewReader(data[3:]), p: p}
	case !utf8.Valid(data):
		r = transform.NewReader(r, simplifiedchinese.GB18030.NewDecoder())
	}
	return r
}

// readText reads CSV (RFC 4180 quoting; comma, or semicolon or tab when
// the first line has no comma) or TXT (a number per line, fields after it
// separated by a tab or a comma, ASCII or full-width).
func readText(ctx context.Context, kind string, data []byte, p *progress, fn func(int, []string) error) error {
	r := textReader(data, p)
	if kind == "csv" {
		br := bufio.NewReader(r)
		first, _ := br.Peek(4096)
		line, _, _ := bytes.Cut(first, []byte("\n"))
		cr := csv.NewReader(br)
		cr.FieldsPerRecord, cr.LazyQuotes, cr.ReuseRecord, cr.TrimLeadingSpace = -1, true, true, true
		if !bytes.ContainsRune(line, ',') {
			switch {
			case bytes.ContainsRune(line, '\t'):
				cr.Comma = '\t'
			case bytes.ContainsRune(line, ';'):
				cr.Comma = ';'
			}
		}
		for n := 0; ; n++ {
			rec, err := cr.Read()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					return badFile("imp.err.csv", pe.Line, pe.Err.Error())
				}
				return badFile("imp.err.read", err.Error())
			}
			if n%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			line, _ := cr.FieldPos(0)
			if err := emit(line, rec, fn); err != nil {
				return err
			}
		}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if line%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
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
		if err := emit(line, cells, fn); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return badFile("imp.err.long_line")
		}
		return badFile("imp.err.read", err.Error())
	}
	return nil
}

// emit trims a row's cells, bounds them, and passes on rows that are not
// empty.
func emit(line int, rec []string, fn func(int, []string) error) error {
	cells := make([]string, 0, min(len(rec), maxColumns))
	empty := true
	for i, c := range rec {
		if i == maxColumns {
			break
		}
		c = strings.TrimSpace(strings.TrimPrefix(c, "\uFEFF"))
		if len(c) > maxCell {
			c = truncate(c, maxCell)
		}
		empty = empty && c == ""
		cells = append(cells, c)
	}
	if empty {
		return nil
	}
	return fn(line, cells)
}

// truncate cuts s to at most n bytes on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// readXLSX streams the first worksheet's rows.
func readXLSX(ctx context.Context, data []byte, p *progress, fn func(int, []string) error) error {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true,
		UnzipSizeLimit: 256 << 20, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return badFile("imp.err.broken_xlsx")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return badFile("imp.err.no_sheet")
	}
	p.total.Store(sheetRows(f, sheets[0], data))
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return badFile("imp.err.broken_xlsx")
	}
	defer rows.Close()
	for line := 1; rows.Next(); line++ {
		if line%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return badFile("imp.err.broken_xlsx")
		}
		p.done.Store(int64(line))
		if t := p.total.Load(); int64(line) > t {
			p.total.Store(int64(line)) // a sheet without a (right) dimension
		}
		for i, c := range cols {
			cols[i] = cellText(c)
		}
		if err := emit(line, cols, fn); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return badFile("imp.err.broken_xlsx")
	}
	return nil
}

// sheetRows estimates a worksheet's rows for the progress bar: from its
// dimension (A1:C1000) as Excel writes it, else (other programs leave it
// at A1) by counting the rows in the first worksheet's XML, which takes a
// fraction of reading them.
func sheetRows(f *excelize.File, sheet string, data []byte) int64 {
	if dim, err := f.GetSheetDimension(sheet); err == nil {
		if _, last, ok := strings.Cut(dim, ":"); ok {
			if _, rows, err := excelize.CellNameToCoordinates(last); err == nil && rows > 1 {
				return int64(rows)
			}
		}
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0
	}
	for _, zf := range zr.File {
		if zf.Name != "xl/worksheets/sheet1.xml" || zf.UncompressedSize64 > 256<<20 {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return 0
		}
		defer rc.Close()
		var n int64
		buf := make([]byte, 64<<10)
		carry := 0
		for {
			k, err := rc.Read(buf[carry:])
			chunk := buf[:carry+k]
			n += int64(bytes.Count(chunk, []byte("<row ")) + bytes.Count(chunk, []byte("<row>")))
			// Keep 4 bytes: a tag (5 bytes) cut at the chunk's end is
			// counted next time, and none fits in them to count twice.
			carry = copy(buf, chunk[max(len(chunk)-4, 0):])
			if err != nil {
				return n
			}
		}
	}
	return 0
}

// cellText undoes what a spreadsheet does to a long number stored as a
// number: "13800138000" may be kept as "1.3800138E10", or with ".0".
func cellText(c string) string {
	c = strings.TrimSpace(c)
	if strings.ContainsAny(c, "Ee") && len(c) < 24 {
		if f, err := strconv.ParseFloat(c, 64); err == nil && f >= 1e7 && f < 1e16 && f == float64(int64(f)) {
			return strconv.FormatInt(int64(f), 10)
		}
	}
	if whole, frac, ok := strings.Cut(c, "."); ok && strings.Trim(frac, "0") == "" && whole != "" &&
		strings.Trim(whole, "0123456789") == "" && len(whole) >= 7 {
		return whole
	}
	return c
}
