package bench

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"os"
	"strings"
)

// Hostile inputs, as a tester would make them. Each is written once into
// the benchmark cache folder.

// hostileWorkbook writes a workbook of one small sheet plus the given
// parts; a part's content is produced by its writer function.
func hostileWorkbook(path string, sheet string, parts map[string]func(io.Writer) error) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(out)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) })
	fixed := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", sheet},
	}
	for _, p := range fixed {
		w, err := zw.Create(p.name)
		if err != nil {
			return err
		}
		io.WriteString(w, p.body)
	}
	for name, write := range parts {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(w, 1<<20)
		if err := write(bw); err != nil {
			return err
		}
		bw.Flush()
	}
	if err := zw.Close(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

const smallSheet = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
	`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>检查企业(家次)</t></is></c></row></sheetData></worksheet>`

// WriteSharedStringsBomb writes a workbook (about 1.6 MB) whose shared
// string table inflates to mb megabytes of empty <si/> entries.
func WriteSharedStringsBomb(path string, mb int) error {
	return hostileWorkbook(path, smallSheet, map[string]func(io.Writer) error{
		"xl/sharedStrings.xml": func(w io.Writer) error {
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
			chunk := bytes.Repeat([]byte("<si/>"), 1<<16)
			for written := 0; written < mb<<20; written += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return err
				}
			}
			_, err := io.WriteString(w, `</sst>`)
			return err
		},
	})
}

// WriteJunkPart writes a workbook carrying a junk part of mb megabytes that
// compresses a few hundred to one (under the 1000:1 ratio a bomb is
// refused at): zeros with a byte now and then.
func WriteJunkPart(path string, mb int) error {
	return hostileWorkbook(path, smallSheet, map[string]func(io.Writer) error{
		"xl/media/junk.bin": func(w io.Writer) error {
			block := make([]byte, 1<<20)
			x := uint32(1)
			for i := 0; i < mb; i++ {
				clear(block)
				for j := 0; j < len(block); j += 1500 {
					x = x*1664525 + 1013904223
					block[j] = byte(x >> 24)
				}
				if _, err := w.Write(block); err != nil {
					return err
				}
			}
			return nil
		},
		"xl/sharedStrings.xml": func(w io.Writer) error {
			_, err := io.WriteString(w, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>单位</t></si></sst>`)
			return err
		},
	})
}

// WriteHugeCell writes a file with one cell of mb megabytes: in the sheet
// as an inline string, in the shared strings, or as a CSV field.
func WriteHugeCell(path, where string, mb int) error {
	text := strings.Repeat("安全生产", mb<<20/12)
	switch where {
	case "csv":
		return os.WriteFile(path, []byte("单位,检查企业(家次),发现隐患(条),其中重大隐患(条),整改隐患(条),立案查处(起),罚款金额(万元)\n"+text+",1,1,0,1,1,1\n"), 0o644)
	case "inline":
		sheet := `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
			`<row r="1"><c r="A1" t="inlineStr"><is><t>单位</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>` + text + `</t></is></c></row></sheetData></worksheet>`
		return hostileWorkbook(path, sheet, nil)
	}
	return hostileWorkbook(path, smallSheet, map[string]func(io.Writer) error{
		"xl/sharedStrings.xml": func(w io.Writer) error {
			_, err := fmt.Fprintf(w, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>%s</t></si></sst>`, text)
			return err
		},
	})
}
