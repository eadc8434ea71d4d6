package dropfolder

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// pkg is one package in the drop folder.
type pkg struct {
	path     string
	name     string // relative to the drop folder
	format   string
	modified time.Time
	hash     string
}

// pending lists the settled packages after last, oldest first; with
// fromScratch (no roster kept) every settled package.
func (s *Source) pending(last cursor, fromScratch bool) ([]pkg, error) {
	candidates, err := s.candidates()
	if err != nil {
		return nil, err
	}
	now := s.opts.Now()
	var out []pkg
	for _, c := range candidates {
		files, modified, err := listFiles(c.path)
		if err != nil {
			return nil, fmt.Errorf("drop folder %q: %s: %w", s.opts.Connection, c.name, err)
		}
		if s.opts.Settle > 0 && now.Sub(modified) < s.opts.Settle {
			s.log.Info().Str("package", c.name).Msg("package modified too recently; it may still be being written")
			continue
		}
		c.modified = modified
		c.format = s.detect(files)
		switch {
		case c.format == "":
			s.log.Warn().Str("package", c.name).Msg("neither a OneRoster package (manifest.csv) nor a Clever one (students.csv); skipped")
			continue
		case !fromScratch && last.Hash != "" && c.modified.Before(last.Modified):
			continue
		case !fromScratch && last.Hash != "" && c.modified.Equal(last.Modified) && c.name <= last.Name:
			continue
		}
		if c.hash, err = hashFiles(c.path, files); err != nil {
			return nil, fmt.Errorf("drop folder %q: %s: %w", s.opts.Connection, c.name, err)
		}
		if !fromScratch && c.hash == last.Hash {
			continue // the same files again, touched or copied anew
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b pkg) int {
		if c := a.modified.Compare(b.modified); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	return out, nil
}

// candidates are the folders and zip files that may be packages: the
// path itself when it is one, else its entries.
func (s *Source) candidates() ([]pkg, error) {
	root := s.opts.Path
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("drop folder %q: %w", s.opts.Connection, err)
	}
	if !fi.IsDir() || isPackageDir(root) {
		return []pkg{{path: root, name: filepath.Base(root)}}, nil
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("drop folder %q: %w", s.opts.Connection, err)
	}
	var out []pkg
	for _, e := range entries {
		name := e.Name()
		if ignored(name) {
			continue
		}
		if e.IsDir() || strings.EqualFold(path.Ext(name), ".zip") {
			out = append(out, pkg{path: filepath.Join(root, name), name: name})
		}
	}
	return out, nil
}

// isPackageDir reports whether dir holds CSV files itself, rather than
// packages.
func isPackageDir(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(path.Ext(e.Name()), ".csv") {
			return true
		}
	}
	return false
}

// ignored are the names a package never holds: dotfiles and macOS's
// resource forks.
func ignored(name string) bool {
	return strings.HasPrefix(name, ".") || name == "__MACOSX"
}

// detect names a package's format from its files.
func (s *Source) detect(files []string) string {
	has := func(base string) bool {
		return slices.ContainsFunc(files, func(f string) bool { return strings.EqualFold(path.Base(f), base) })
	}
	switch s.opts.Format {
	case FormatOneRoster:
		if has("manifest.csv") {
			return FormatOneRoster
		}
		return "" // a OneRoster package without its manifest is not complete
	case FormatClever:
		return FormatClever
	}
	switch {
	case has("manifest.csv"):
		return FormatOneRoster
	case has("students.csv") || has("sections.csv"):
		return FormatClever
	}
	return ""
}

// listFiles lists the files of a package (a folder or a zip file), as
// slash paths, and its latest modification time.
func listFiles(p string) (files []string, modified time.Time, err error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, time.Time{}, err
	}
	modified = fi.ModTime()
	if !fi.IsDir() {
		zr, err := zip.OpenReader(p)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("not a zip file: %w", err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			if !f.FileInfo().IsDir() && !hiddenPath(f.Name) {
				files = append(files, f.Name)
			}
		}
		return files, modified, nil
	}
	err = filepath.WalkDir(p, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name != p && ignored(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.ModTime().After(modified) {
			modified = info.ModTime()
		}
		rel, _ := filepath.Rel(p, name)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	return files, modified, err
}

func hiddenPath(name string) bool {
	for _, part := range strings.Split(name, "/") {
		if ignored(part) {
			return true
		}
	}
	return false
}

// hashFiles is the SHA-256 of a package's files, names and contents, in
// name order: the same files give the same hash, whenever they arrive.
func hashFiles(p string, files []string) (string, error) {
	files = slices.Sorted(slices.Values(files))
	h := sha256.New()
	add := func(name string, r io.Reader) error {
		fmt.Fprintf(h, "%s\x00", name)
		_, err := io.Copy(h, r)
		h.Write([]byte{0})
		return err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return "", err
	}
	if fi.IsDir() {
		for _, f := range files {
			fh, err := os.Open(filepath.Join(p, filepath.FromSlash(f)))
			if err != nil {
				return "", err
			}
			err = add(f, fh)
			fh.Close()
			if err != nil {
				return "", err
			}
		}
	} else {
		zr, err := zip.OpenReader(p)
		if err != nil {
			return "", err
		}
		defer zr.Close()
		byName := map[string]*zip.File{}
		for _, f := range zr.File {
			byName[f.Name] = f
		}
		for _, name := range files {
			rc, err := byName[name].Open()
			if err != nil {
				return "", err
			}
			err = add(name, rc)
			rc.Close()
			if err != nil {
				return "", err
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
