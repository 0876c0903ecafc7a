package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

type row struct {
	line  int
	cells []string
}

func readAll(t *testing.T, name string, data []byte) ([]row, *progress, error) {
	t.Helper()
	var p progress
	var out []row
	err := readRows(context.Background(), name, data, &p, func(line int, cells []string) error {
		out = append(out, row{line, slices.Clone(cells)})
		return nil
	})
	return out, &p, err
}

func wantRows(t *testing.T, got []row, want ...row) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d rows %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i].line != want[i].line || !slices.Equal(got[i].cells, want[i].cells) {
			t.Fatalf("row %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func xlsxOf(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadCSV(t *testing.T) {
	data := "\uFEFF手机号,name\r\n13800138000,张三\r\n\r\n\"13900139000\", \"李, 四\"\n 13700137000 ,\n"
	got, p, err := readAll(t, "list.csv", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, got, row{1, []string{"手机号", "name"}}, row{2, []string{"13800138000", "张三"}},
		row{4, []string{"13900139000", "李, 四"}}, row{5, []string{"13700137000", ""}})
	if p.fraction() != 1 {
		t.Fatalf("progress %v at the end, want 1", p.fraction())
	}
	// Semicolons and tabs when the first line has no comma.
	got, _, err = readAll(t, "x.csv", []byte("13800138000;王五\n13900139000;赵六\n"))
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, got, row{1, []string{"13800138000", "王五"}}, row{2, []string{"13900139000", "赵六"}})
}

func TestReadCSVInGBK(t *testing.T) {
	enc, err := simplifiedchinese.GB18030.NewEncoder().String("手机号,姓名\n13800138000,张三\n")
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := readAll(t, "excel.csv", []byte(enc))
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, got, row{1, []string{"手机号", "姓名"}}, row{2, []string{"13800138000", "张三"}})
}

func TestReadTXT(t *testing.T) {
	data := "13800138000\n139 0013 9000\n\n13700137000\t王五\n13600136000，赵六\n"
	got, _, err := readAll(t, "numbers.txt", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, got, row{1, []string{"13800138000"}}, row{2, []string{"139 0013 9000"}},
		row{4, []string{"13700137000", "王五"}}, row{5, []string{"13600136000", "赵六"}})
}

func TestReadXLSX(t *testing.T) {
	data := xlsxOf(t, [][]any{{"手机号", "name"}, {13800138000, "张三"}, {}, {"13900139000", "李四"}, {1.37001e10, ""}})
	got, p, err := readAll(t, "list.xlsx", data)
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, got, row{1, []string{"手机号", "name"}}, row{2, []string{"13800138000", "张三"}},
		row{4, []string{"13900139000", "李四"}}, row{5, []string{"13700100000"}})
	if p.fraction() != 1 {
		t.Fatalf("progress %v at the end, want 1", p.fraction())
	}
	// A misnamed XLSX is still read as one.
	if got, _, err := readAll(t, "list.csv", data); err != nil || len(got) != 4 {
		t.Fatalf("misnamed xlsx: %d rows, %v", len(got), err)
	}
}

func TestReadBrokenFiles(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		key  string
	}{
		{"broken.xlsx", []byte("PK\x03\x04 this is not a zip"), "imp.err.broken_xlsx"},
		{"fake.xlsx", []byte("13800138000\n"), "imp.err.broken_xlsx"},
		{"old.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, "imp.err.xls"},
		{"photo.png", []byte("\x89PNG\r\n"), "imp.err.kind"},
		{"long.txt", bytes.Repeat([]byte("1"), 2<<20), "imp.err.long_line"},
	} {
		_, _, err := readAll(t, tc.name, tc.data)
		var fe *fileError
		if !errors.As(err, &fe) || fe.key != tc.key {
			t.Errorf("%s: error %v, want %s", tc.name, err, tc.key)
		}
		if fe != nil && len(catalogue["zh"][fe.key]) == 0 {
			t.Errorf("%s: key %s is not in the catalogue", tc.name, fe.key)
		}
	}
}

// 100,000 numbers, as CSV and as XLSX, stream through in well under the
// time a person would wait, with progress growing as they go.
func TestRead100000Rows(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	n := 100_000
	if raceBuild { // the race detector makes XLSX writing and reading some tenfold slower
		n = 20_000
	}
	var csvb strings.Builder
	csvb.WriteString("手机号,name\n")
	rows := make([][]any, 0, n+1)
	rows = append(rows, []any{"手机号", "name"})
	for i := range n {
		num := fmt.Sprintf("1380%07d", i)
		fmt.Fprintf(&csvb, "%s,用户%d\n", num, i)
		rows = append(rows, []any{num, fmt.Sprintf("用户%d", i)})
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{{"big.csv", []byte(csvb.String())}, {"big.txt", []byte(csvb.String())}, {"big.xlsx", xlsxOf(t, rows)}} {
		start := time.Now()
		var p progress
		count, halfway := 0, false
		err := readRows(context.Background(), tc.name, tc.data, &p, func(line int, cells []string) error {
			count++
			if count == n/2 {
				halfway = p.fraction() > 0.2 && p.fraction() < 0.9
			}
			if line == n+1 && cells[0] != fmt.Sprintf("1380%07d", n-1) {
				return fmt.Errorf("last row %v", cells)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if count != n+1 {
			t.Fatalf("%s: %d rows, want %d", tc.name, count, n+1)
		}
		if !halfway {
			t.Errorf("%s: progress did not move with the rows", tc.name)
		}
		t.Logf("%s: %d rows (%d KB) in %s", tc.name, n, len(tc.data)>>10, time.Since(start).Round(time.Millisecond))
	}
}

func TestCellText(t *testing.T) {
	for in, want := range map[string]string{"1.3800138E10": "13800138000", "13800138000.0": "13800138000", "13800138000": "13800138000",
		"张三": "张三", "1.5": "1.5", "1e3": "1e3", " 139 ": "139"} {
		if got := cellText(in); got != want {
			t.Errorf("cellText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{"=1+2": "'=1+2", "@SUM(A1)": "'@SUM(A1)", "+8613800138000": "+8613800138000",
		"-cmd": "'-cmd", "13800138000": "13800138000", "": ""} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
