// Package reports turns results into documents: the Excel and PDF bulletins
// and scorecards, the analysts' templates, the registry workbook and the
// marked copies of refused files. It writes to io.Writers; it never touches
// the workspace.
package reports
