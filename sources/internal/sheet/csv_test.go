package sheet

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// splitWithEncodingCSV is the reference: encoding/csv with the settings our
// reader mimics, rows as "line:col=value" of the non-empty fields.
func splitWithEncodingCSV(data []byte) ([]string, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var out []string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		line, _ := cr.FieldPos(0)
		out = append(out, describeRecord(line, rec))
	}
}

func describeRecord(line int, fields []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d:", line)
	for i, v := range fields {
		if v != "" {
			fmt.Fprintf(&b, " %d=%q", i+1, v)
		}
	}
	return b.String()
}

// splitWithOurs reads the same bytes through csvRows, in batches of three
// rows so that values outlive the batch they were read in.
func splitWithOurs(data []byte) ([]string, error) {
	wb, err := openCSV(bytes.NewReader(data), int64(len(data)), "Sheet1", DefaultLimits())
	if err != nil {
		return nil, err
	}
	wb.(*csvWorkbook).enc = UTF8 // the reference does not decode
	rs, err := wb.Rows(context.Background(), "Sheet1")
	if err != nil {
		return nil, err
	}
	var out []string
	for {
		b := &rowBatch{}
		err := rs.(batchFiller).fill(context.Background(), b, 3)
		b.fixRows()
		for _, r := range b.rows {
			fields := make([]string, 0, len(r.Cells))
			for _, c := range r.Cells {
				for len(fields) < c.Col-1 {
					fields = append(fields, "")
				}
				fields = append(fields, c.Value)
			}
			out = append(out, describeRecord(r.Num, fields))
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func TestCSVSplitsLikeEncodingCSV(t *testing.T) {
	cases := []struct{ name, in string }{
		{"plain", "a,b,c\n1,2,3\n"},
		{"no final newline", "a,b\n1,2"},
		{"crlf", "a,b\r\n1,2\r\n"},
		{"cr before eof", "a,b\r"},
		{"lone cr inside", "a\rb,c\n"},
		{"empty lines skipped", "\n\na,b\n\n\r\n1,2\n\n"},
		{"empty fields", ",,x,,\n,\n"},
		{"quoted", "\"a,b\",\"c\"\"d\"\n"},
		{"quoted over lines", "\"line1\nline2\",x\nnext,row\n"},
		{"quoted crlf inside", "\"a\r\nb\",c\r\n"},
		{"bare quote in field", "a\"b,c\n"},
		{"lazy quote after close", "\"ab\"cd,e\n"},
		{"eof inside quotes", "\"abc\ndef"},
		{"quote then eof", "\"abc\""},
		{"empty quoted", "\"\",x\n"},
		{"chinese", "执法单位,罚款金额(元)\n石门镇,\"35,000\"\n"},
		{"spaces kept", " a , b \n"},
		{"only quotes", "\"\"\"\"\n"},
		{"long line", strings.Repeat("x", 300<<10) + ",y\nz\n"},
		{"long quoted line", "\"" + strings.Repeat("q\n", 200<<10) + "\",end\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, werr := splitWithEncodingCSV([]byte(c.in))
			got, gerr := splitWithOurs([]byte(c.in))
			if (werr != nil) != (gerr != nil) {
				t.Fatalf("errors differ: encoding/csv %v, ours %v", werr, gerr)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("records differ\n ours: %q\n want: %q", got, want)
			}
		})
	}
}

// FuzzCSVSplitsLikeEncodingCSV holds our CSV splitter to encoding/csv.
func FuzzCSVSplitsLikeEncodingCSV(f *testing.F) {
	for _, s := range []string{"a,b\n1,2", "\"a\"\"b\",c\r\n", "\"x\ny\"z,\n\n,", "a\"b\r", "\"\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := splitWithEncodingCSV(data)
		got, gerr := splitWithOurs(data)
		if werr != nil || gerr != nil {
			return // with LazyQuotes only reader errors remain
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("records differ\n ours: %q\n want: %q", got, want)
		}
	})
}

func TestCSVRecordTooLongIsRefused(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"line without breaks", "a,b\n" + strings.Repeat("x", 5<<20), "CSV 第 2 行起的一条记录超过 4 MB"},
		{"quote never closed", "a,b\n1,2\n\"" + strings.Repeat("y\n", 3<<20), "CSV 第 3 行起的一条记录超过 4 MB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := splitWithOurs([]byte(c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
}
