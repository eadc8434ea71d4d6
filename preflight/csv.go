package preflight

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// csvHeader names the columns of WriteCSV.
var csvHeader = []string{"severity", "code", "entity", "id", "sis_id", "field", "message", "hint"}

// utf8BOM starts the CSV report. Excel reads a CSV file without one in the
// Windows code page, which turns any text beyond ASCII (a section named
// "Français 2" in a message) into mojibake; with it, Excel, LibreOffice,
// Numbers and Google Sheets all read UTF-8.
const utf8BOM = "\xEF\xBB\xBF"

// WriteCSV writes one row per issue, under one header row, for the
// spreadsheets assessment teams send back to a district. The file opens
// cleanly in a spreadsheet by double-click:
//
//   - it starts with a UTF-8 byte order mark (see utf8BOM);
//   - lines end in CRLF, as RFC 4180 and Excel's own CSV files do; a
//     newline inside a quoted cell is written as CRLF too, and a carriage
//     return on its own is dropped (encoding/csv does both), so a cell
//     reads back with its lines joined by "\n";
//   - a cell a spreadsheet would run as a formula is made text (see
//     defuseFormula).
//
// A reader using encoding/csv must skip the byte order mark, or the first
// column is named "\uFEFFseverity".
func (r *Report) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return fmt.Errorf("write report csv: %w", err)
	}
	cw := csv.NewWriter(w) // buffered

	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("write report csv: %w", err)
	}
	row := make([]string, len(csvHeader))
	for i := range r.Issues {
		is := &r.Issues[i]
		row[0], row[1], row[2], row[3] = string(is.Severity), is.Code, string(is.Entity), is.ID
		row[4], row[5], row[6], row[7] = is.SISID, is.Field, is.Message, is.Hint
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
