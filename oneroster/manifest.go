package oneroster

import (
	"errors"
	"io"
	"strings"
)

// Manifest is a package's manifest.csv: propertyName,value rows naming
// the versions, the source system and the mode of each file.
type Manifest struct {
	// Present is false for a package without manifest.csv, which is read
	// as a OneRoster 1.0-era bulk package: every file in it is bulk and
	// every file missing is absent.
	Present bool
	// ManifestVersion is manifest.version (1.0); OneRosterVersion is
	// oneroster.version (1.0, 1.1 or 1.2).
	ManifestVersion  string
	OneRosterVersion string
	// SourceSystemName and SourceSystemCode are source.systemName and
	// source.systemCode.
	SourceSystemName string
	SourceSystemCode string
	// Files holds the mode of each file.<name> property, keyed by the
	// file's name as the binding spells it ("academicSessions").
	Files map[string]Mode

	// lines holds the line of each file.<name> property, for messages.
	lines map[string]int
}

// Mode returns the mode the manifest gives file name; a file it does not
// name is absent.
func (m *Manifest) Mode(name string) Mode {
	if mode, ok := m.Files[name]; ok {
		return mode
	}
	return ModeAbsent
}

// is12 reports whether the manifest says OneRoster 1.2.
func (m *Manifest) is12() bool { return strings.HasPrefix(m.OneRosterVersion, "1.2") }

// knownFile returns the spelling of a file name of the CSV binding that
// name matches, ignoring case.
func knownFile(name string) (string, bool) {
	for _, s := range rosterFiles {
		if strings.EqualFold(s.name, name) {
			return s.name, true
		}
	}
	for _, s := range otherFiles {
		if strings.EqualFold(s, name) {
			return s, true
		}
	}
	return "", false
}

// readManifest reads manifest.csv. Values may be quoted (ClassLink quotes
// every cell). A file mode that is neither bulk, delta nor absent refuses
// the package; a blank mode reads as absent.
func readManifest(r io.Reader, file string, is *issueSet) Manifest {
	m := Manifest{Present: true, Files: make(map[string]Mode), lines: make(map[string]int)}
	rr := newRecordReader(r)
	if err := rr.Read(); err != nil {
		if errors.Is(err, io.EOF) {
			is.errorf(file, 0, "", "the file is empty: a manifest starts with the header propertyName,value")
		} else {
			is.errorf(file, 1, "", "%v", err)
		}
		return m
	}
	if rr.NumFields() < 2 || !strings.EqualFold(strings.TrimSpace(string(rr.Field(0))), "propertyName") ||
		!strings.EqualFold(strings.TrimSpace(string(rr.Field(1))), "value") {
		is.errorf(file, rr.start, "", "the header is not propertyName,value")
		return m
	}
	seen := map[string]int{}
	for {
		err := rr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *syntaxError
			if errors.As(err, &se) {
				is.errorf(file, se.line, "", "%s", se.msg)
				if se.fatal {
					break
				}
				continue
			}
			is.errorf(file, rr.line, "", "%v", err)
			break
		}
		line := rr.start
		key := strings.TrimSpace(string(rr.Field(0)))
		value := ""
		if rr.NumFields() > 1 {
			value = strings.TrimSpace(string(rr.Field(1)))
		}
		if key == "" {
			continue
		}
		lower := strings.ToLower(key)
		if firstEntry, dup := seen[lower]; dup {
			is.errorf(file, line, "propertyName", "repeats the property of line %d", firstEntry)
			continue
		}
		seen[lower] = line
		switch {
		case lower == "manifest.version":
			m.ManifestVersion = value
			if value != "1.0" {
				is.warnf(file, line, "value", "manifest.version is not 1.0, the only version there is; read as 1.0")
			}
		case lower == "oneroster.version":
			m.OneRosterVersion = value
			if !strings.HasPrefix(value, "1.0") && !strings.HasPrefix(value, "1.1") && !strings.HasPrefix(value, "1.2") {
				is.warnf(file, line, "value", "oneroster.version is not 1.0, 1.1 or 1.2; files are read by their headers")
			}
		case lower == "source.systemname" || lower == "source.systemcode":
			if strings.EqualFold(value, string(ModeAbsent)) {
				is.warnf(file, line, "value", "%s is a file mode, not a system; read as blank", key)
				value = ""
			}
			if lower == "source.systemname" {
				m.SourceSystemName = value
			} else {
				m.SourceSystemCode = value
			}
		case strings.HasPrefix(lower, "file."):
			m.fileMode(file, line, key, value, is)
		default:
			is.warnf(file, line, "propertyName", "not a manifest property; ignored")
		}
	}
	if m.OneRosterVersion == "" {
		is.warnf(file, 0, "", "no oneroster.version; files are read by their headers")
	}
	return m
}

func (m *Manifest) fileMode(file string, line int, key, value string, is *issueSet) {
	name, ok := knownFile(key[len("file."):])
	if !ok {
		is.warnf(file, line, "propertyName", "not a file of the OneRoster CSV binding; ignored")
		return
	}
	if key[len("file."):] != name {
		is.warnf(file, line, "propertyName", "read as file.%s (file names are case-sensitive)", name)
	}
	mode := ModeAbsent
	switch v := strings.ToLower(value); v {
	case "bulk", "delta", "absent":
		mode = Mode(v)
		if value != v {
			is.warnf(file, line, "value", "read as %s (modes are lower-case)", v)
		}
	case "":
		is.warnf(file, line, "value", "file.%s has no mode; read as absent", name)
	default:
		is.errorf(file, line, "value", "file.%s is not bulk, delta or absent", name)
		return
	}
	m.Files[name] = mode
	m.lines[name] = line
}
