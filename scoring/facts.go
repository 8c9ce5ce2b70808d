// Package scoring turns the live facts of a period range into rankings,
// last-place flags, accident aggregates, control progress and the quarterly
// ten-measures scores: pure functions, facts in, results out.
package scoring

import (
	"context"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"tongbao/sources"
)

// Scan streams record batches of one dataset's schema (sources.LookupDataset)
// to fn. Records are released after fn returns; fn must Retain to keep one.
type Scan func(ctx context.Context, fn func(arrow.Record) error) error

// SourceFile is a file behind the figures.
type SourceFile struct {
	Dataset    string
	Period     string
	File       string
	SHA256     string
	ImportedAt time.Time
	Rows       int
	Warnings   []string // kept with the partition; shown in the data-quality sheet
}

// Facts are what scoring consumes: the live rows of a period range, read
// lazily so a year of case-level data never sits in memory at once.
type Facts struct {
	Registry    *sources.Registry
	Enforcement Scan
	Accidents   Scan
	Quotas      Scan
	Assessments Scan
	// FirstEnforcement and FirstAccident are the earliest months with data
	// in the whole workspace ("" when none): earlier months are not evaluated.
	FirstEnforcement string
	FirstAccident    string
	Files            []SourceFile
	// EnforcementSums, when set, are the enforcement totals per month and
	// unit of the same live rows that Enforcement scans; Collect uses them.
	EnforcementSums map[string]map[string]EnforcementTotals
}

// RecordsScan serves records held in memory, for tests and small callers.
func RecordsScan(recs ...arrow.Record) Scan {
	return func(ctx context.Context, fn func(arrow.Record) error) error {
		for _, r := range recs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
}
