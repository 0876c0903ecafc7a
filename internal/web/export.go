package web

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"github.com/xuri/excelize/v2"

	"hongyan/internal/core"
)

// Exports (W3) of the tables behind the report and settlement pages, as
// CSV and as XLSX, with headers in the user's language.
//
// CSV is UTF-8 with a byte-order mark: without it Excel on a Chinese
// Windows reads UTF-8 as GBK and the headers come out garbled. Numbers are
// plain (no separators), money in yuan with three decimals (li, exact),
// rates in percent with two decimals.
//
// XLSX is written with github.com/xuri/excelize/v2 (pure Go, maintained,
// already what the send page reads uploads with): numbers are numbers, so
// Excel sums and charts them; money has the format 0.000 and rates 0.00%.
// The stream writer keeps memory flat however many rows there are.

// xkind says how a cell is written.
type xkind int

const (
	xText  xkind = iota
	xCount       // int64
	xMoney       // int64 li
	xRate        // float64 fraction; invalid = empty
)

type xcell struct {
	kind xkind
	s    string
	n    int64
	f    float64
	ok   bool
}

func textCell(s string) xcell           { return xcell{kind: xText, s: s} }
func countCell(n int64) xcell           { return xcell{kind: xCount, n: n} }
func moneyCell(li int64) xcell          { return xcell{kind: xMoney, n: li} }
func rateCell(f float64, ok bool) xcell { return xcell{kind: xRate, f: f, ok: ok} }

// infoSheet is the sheet saying what an export holds.
func infoSheet(m msgs, info [][2]string) xsheet {
	return xsheet{Name: m.T("exp.info"), Info: info, info: true}
}

// String is the cell as CSV text.
func (c xcell) String() string {
	switch c.kind {
	case xCount:
		return strconv.FormatInt(c.n, 10)
	case xMoney:
		return core.Yuan(c.n)
	case xRate:
		if !c.ok {
			return ""
		}
		return strconv.FormatFloat(c.f*100, 'f', 2, 64)
	}
	return c.s
}

// xsheet is one table of an export (a sheet of an XLSX).
type xsheet struct {
	Name string
	Head []string
	Rows [][]xcell
	Info [][2]string // what the table holds (the XLSX's second sheet)
	info bool        // this sheet is Info as two columns
}

// attachment sets the headers of a download.
func download(w http.ResponseWriter, contentType, filename string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
}

// writeCSVTable writes one table as CSV.
func writeCSVTable(w http.ResponseWriter, filename string, t xsheet) {
	download(w, "text/csv; charset=utf-8", filename)
	bw := bufio.NewWriter(w)
	_, _ = bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	_ = cw.Write(t.Head)
	rec := make([]string, 0, len(t.Head))
	for _, row := range t.Rows {
		rec = rec[:0]
		for _, c := range row {
			rec = append(rec, c.String())
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
	_ = bw.Flush()
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// writeWorkbook writes tables as the sheets of one workbook.
func writeWorkbook(w http.ResponseWriter, filename string, sheets []xsheet) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7F3EC"}}})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	moneyFmt := "0.000"
	yuan, err := f.NewStyle(&excelize.Style{CustomNumFmt: &moneyFmt})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	for i, t := range sheets {
		name := sheetName(t.Name, i)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return fmt.Errorf("xlsx sheet: %w", err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("xlsx sheet: %w", err)
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return fmt.Errorf("xlsx sheet: %w", err)
		}
		if t.info {
			_ = sw.SetColWidth(1, 1, 16)
			_ = sw.SetColWidth(2, 2, 48)
			for r, kv := range t.Info {
				cellName, _ := excelize.CoordinatesToCellName(1, r+1)
				if err := sw.SetRow(cellName, []any{excelize.Cell{StyleID: bold, Value: kv[0]}, kv[1]}); err != nil {
					return fmt.Errorf("xlsx row: %w", err)
				}
			}
		} else {
			if len(t.Head) > 0 {
				_ = sw.SetColWidth(1, len(t.Head), 14)
			}
			head := make([]any, len(t.Head))
			for j, h := range t.Head {
				head[j] = excelize.Cell{StyleID: bold, Value: h}
			}
			if err := sw.SetRow("A1", head, excelize.RowOpts{}); err != nil {
				return fmt.Errorf("xlsx row: %w", err)
			}
			for r, row := range t.Rows {
				vals := make([]any, len(row))
				for j, c := range row {
					switch c.kind {
					case xCount:
						vals[j] = c.n
					case xMoney:
						vals[j] = excelize.Cell{StyleID: yuan, Value: float64(c.n) / 1000}
					case xRate:
						if c.ok {
							vals[j] = excelize.Cell{StyleID: pct, Value: c.f}
						} else {
							vals[j] = nil
						}
					default:
						vals[j] = c.s
					}
				}
				cellName, _ := excelize.CoordinatesToCellName(1, r+2)
				if err := sw.SetRow(cellName, vals); err != nil {
					return fmt.Errorf("xlsx row: %w", err)
				}
			}
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("xlsx sheet: %w", err)
		}
	}
	download(w, xlsxType, filename)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx write: %w", err)
	}
	return nil
}

// sheetName makes a valid sheet name (Excel: at most 31 characters, none
// of []:*?/\); callers give each sheet of a workbook its own name.
func sheetName(name string, i int) string {
	r := []rune(name)
	out := make([]rune, 0, len(r))
	for _, c := range r {
		switch c {
		case '[', ']', ':', '*', '?', '/', '\\':
			c = '_'
		}
		out = append(out, c)
	}
	if len(out) > 28 {
		out = out[:28]
	}
	if len(out) == 0 {
		return "Sheet" + strconv.Itoa(i+1)
	}
	return string(out)
}
