package preflight

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// csvHeader names the columns of WriteCSV.
var csvHeader = []string{"severity", "code", "entity", "id", "sis_id", "field", "message", "hint"}

// WriteCSV writes one row per issue, under a header row, for the
// spreadsheets assessment teams send back to a district.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("write report csv: %w", err)
	}
	for i := range r.Issues {
		is := &r.Issues[i]
		row := []string{string(is.Severity), is.Code, string(is.Entity), is.ID, is.SISID, is.Field, is.Message, is.Hint}
		for j := range row {
			row[j] = defuseFormula(row[j])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write report csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write report csv: %w", err)
	}
	return nil
}

// defuseFormula keeps a spreadsheet from running a cell as a formula. IDs
// come from the district's source, and a cell starting with = + - @ (or a
// tab or carriage return before one) is a formula to Excel and its kin;
// a leading apostrophe makes it text.
func defuseFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
