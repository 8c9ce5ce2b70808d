package tongbao

import "errors"

// Code says what kind of error an error is, for programs: the command line
// turns it into an exit status, the portal into an HTTP status. Codes are
// errors themselves, so errors.Is(err, tongbao.EBusy) works on any error
// that wraps one.
type Code string

func (c Code) Error() string { return string(c) }

// General codes.
const (
	EInvalid  Code = "invalid"   // input refused: a file, a flag, the config (exit 1)
	ENoData   Code = "no_data"   // nothing to compute a period from (exit 1)
	EBusy     Code = "busy"      // another tongbao held the workspace too long (exit 4)
	EInternal Code = "internal"  // disk, bug: not the input's fault (exit 3)
	ENotFound Code = "not_found" // no such file, period, unit
)

// Codes of the import rules: what is wrong with a cell or a file.
const (
	CodeUnreadable      Code = "unreadable"       // not a spreadsheet, corrupt, encrypted, truncated
	CodeTooLarge        Code = "too_large"        // past a limit: size, rows, cell length, shared strings
	CodeNotRegular      Code = "not_regular"      // a symlink, FIFO, device or folder
	CodeNoHeader        Code = "no_header"        // no header of a dataset
	CodeMissingColumn   Code = "missing_column"   // a required column absent
	CodeDuplicateColumn Code = "duplicate_column" // two columns for one field
	CodeMixedDatasets   Code = "mixed_datasets"   // sheets of two datasets in one file
	CodeEmpty           Code = "empty"            // no data rows
	CodeUnknownUnit     Code = "unknown_unit"     // not in the registry
	CodeWrongKind       Code = "wrong_kind"       // a unit of another kind than the column wants
	CodeBlank           Code = "blank"            // a required cell left blank
	CodeNotNumber       Code = "not_number"       // not a number, not whole, too large
	CodeNegative        Code = "negative"         // below zero
	CodeInconsistent    Code = "inconsistent"     // cells that contradict each other (重大隐患 > 发现隐患)
	CodeDuplicateRow    Code = "duplicate_row"    // a unit twice in a summary sheet
	CodeTotals          Code = "totals"           // a 合计 row that differs from the rows
	CodeBadPeriod       Code = "bad_period"       // no period, an unreadable or ambiguous one
	CodePeriodMismatch  Code = "period_mismatch"  // a row of another period than the file declares
	CodeFuturePeriod    Code = "future_period"    // a period that has not come yet
	CodeBadDate         Code = "bad_date"         // not a date, or in the future
	CodeBadValue        Code = "bad_value"        // a value outside its list (industry, level)
	CodeUncalculated    Code = "uncalculated"     // a formula without a calculated value
	CodeOverridden      Code = "overridden"       // a warning: a value given and not used
	CodeInternal        Code = "internal_reader"  // a reader library failed on the file
)

// Error is an error with a code and a message for people (in Chinese).
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

// Unwrap gives the code, so errors.Is finds it.
func (e *Error) Unwrap() error { return e.Code }

// Errorf makes an Error.
func Errorf(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// ErrorCode returns the code an error carries (the first found while
// unwrapping); EInternal for an error that carries none.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var c Code
	if errors.As(err, &c) {
		return c
	}
	return EInternal
}
