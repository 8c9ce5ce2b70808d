package sheet

import "fmt"

// Limits protect the importer from hostile or accidental giant files.
type Limits struct {
	MaxFileMB         int64 `toml:"max_file_mb"`         // size of the file as sent
	MaxUncompressedMB int64 `toml:"max_uncompressed_mb"` // sum of an .xlsx's inflated parts (zip bombs)
	MaxRows           int   `toml:"max_rows"`            // rows of one sheet
	MaxCellChars      int   `toml:"max_cell_chars"`      // characters of one cell
	MaxMarkedErrors   int   `toml:"max_marked_errors"`   // bad cells marked in <name>.errors.xlsx
	MaxSharedStrings  int   `toml:"max_shared_strings"`  // entries of an .xlsx's shared string table
}

// DefaultLimits fit a city-wide case-level file of a million rows.
func DefaultLimits() Limits {
	return Limits{
		MaxFileMB:         200,
		MaxUncompressedMB: 2048,
		MaxRows:           2_000_000,
		MaxCellChars:      32767, // Excel's own limit
		MaxMarkedErrors:   1000,
		MaxSharedStrings:  5_000_000,
	}
}

// Validate names the first key that is out of range.
func (l Limits) Validate() error {
	switch {
	case l.MaxFileMB <= 0:
		return fmt.Errorf("import.max_file_mb must be positive, got %d", l.MaxFileMB)
	case l.MaxUncompressedMB <= 0:
		return fmt.Errorf("import.max_uncompressed_mb must be positive, got %d", l.MaxUncompressedMB)
	case l.MaxRows <= 0:
		return fmt.Errorf("import.max_rows must be positive, got %d", l.MaxRows)
	case l.MaxCellChars <= 0:
		return fmt.Errorf("import.max_cell_chars must be positive, got %d", l.MaxCellChars)
	case l.MaxMarkedErrors < 0:
		return fmt.Errorf("import.max_marked_errors must not be negative, got %d", l.MaxMarkedErrors)
	case l.MaxSharedStrings <= 0:
		return fmt.Errorf("import.max_shared_strings must be positive, got %d", l.MaxSharedStrings)
	}
	return nil
}

func (l Limits) fileBytes() int64         { return l.MaxFileMB << 20 }
func (l Limits) uncompressedBytes() int64 { return l.MaxUncompressedMB << 20 }

// maxToken bounds one tag or text run of an .xlsx part: a cell holds at
// most MaxCellChars characters (4 bytes each at most), so a run much
// longer than that is not a spreadsheet's.
func (l Limits) maxToken() int { return max(1<<20, 4*l.MaxCellChars+64<<10) }
