package sheet

import (
	"bytes"

	"github.com/orisano/gosax"

	"tongbao/sources/xmlscan"
)

// unescape resolves entities and line ends in text (gosax.Unescape), but
// first looks whether there are any: most cell values have none.
func unescape(text []byte) ([]byte, error) {
	for _, c := range text {
		if c == '&' || c == '\r' {
			return gosax.Unescape(text)
		}
	}
	return text, nil
}

// The sheet-data elements the reader acts on.
const (
	elOther = iota
	elRow
	elC
	elV
	elT
	elRPh
	elSheetData
	elF // a cell's formula
)

// elementOf classifies a start or end tag by its local name without
// building a string: the reader asks this of every tag.
func elementOf(tag []byte) int {
	name := xmlscan.Name(tag)
	if len(name) > 1 {
		if i := bytes.IndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
	}
	switch len(name) {
	case 1:
		switch name[0] {
		case 'c':
			return elC
		case 'v':
			return elV
		case 't':
			return elT
		case 'f':
			return elF
		}
	case 3:
		switch string(name) {
		case "row":
			return elRow
		case "rPh":
			return elRPh
		}
	case 9:
		if string(name) == "sheetData" {
			return elSheetData
		}
	}
	return elOther
}
