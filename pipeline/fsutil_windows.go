//go:build windows

package pipeline

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// openNoFollow opens for reading; Lstat before and SameFile after catch a
// link put in the file's place.
func openNoFollow(path string) (*os.File, error) { return os.Open(path) }

// sharingViolation reports the error of a file another program holds open.
func sharingViolation(err error) bool {
	return errors.Is(err, windows.ERROR_SHARING_VIOLATION) || errors.Is(err, windows.ERROR_LOCK_VIOLATION) ||
		errors.Is(err, windows.ERROR_ACCESS_DENIED)
}
