package dropfolder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rosterd/rosterd/clevercsv"
	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/oneroster"
	"github.com/rosterd/rosterd/roster"
	"github.com/rs/zerolog"
)

// The formats.
const (
	FormatAuto      = "auto"
	FormatOneRoster = "oneroster"
	FormatClever    = "clever"
)

// DefaultSettle is how long a package must stay unmodified before it is
// read: an SFTP upload of a large district takes minutes.
const DefaultSettle = 2 * time.Minute

// Options configure a Source.
type Options struct {
	Connection string
	// Path is the folder packages are deposited in, or one package (a
	// folder or a zip file).
	Path string
	// Format is FormatAuto (the default: a package with a manifest.csv is
	// OneRoster, one with students.csv Clever), FormatOneRoster or
	// FormatClever.
	Format string
	// Settle is how long a package must be left unmodified; 0 means
	// DefaultSettle, a negative value reads at once.
	Settle time.Duration
	// Map configures OneRoster's mapping.
	Map    oneroster.MapOptions
	Logger zerolog.Logger
	Now    func() time.Time
}

// Source reads the packages of a drop folder.
type Source struct {
	opts Options
	log  zerolog.Logger
}

var _ connector.IncrementalSource = (*Source)(nil)

// New returns a Source over opts.
func New(opts Options) (*Source, error) {
	switch opts.Format {
	case "":
		opts.Format = FormatAuto
	case FormatAuto, FormatOneRoster, FormatClever:
	default:
		return nil, fmt.Errorf("drop folder %q: format %q is not auto, oneroster or clever", opts.Connection, opts.Format)
	}
	if opts.Path == "" {
		return nil, fmt.Errorf("drop folder %q: no path", opts.Connection)
	}
	if opts.Settle == 0 {
		opts.Settle = DefaultSettle
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Source{opts: opts, log: opts.Logger.With().Str("component", "dropfolder").Str("connection", opts.Connection).Logger()}, nil
}

// Kind names the source in reports.
func (s *Source) Kind() string { return "csv" }

// Fetch reads the folder as if nothing had been applied before.
func (s *Source) Fetch(ctx context.Context) (*roster.Roster, error) {
	r, _, err := s.FetchSince(ctx, connector.Previous{Raw: func() (*roster.Roster, error) { return nil, nil }})
	return r, err
}

// cursor is what the connection's cursor holds: the package last applied.
type cursor struct {
	Name     string    `json:"name"`
	Modified time.Time `json:"modified"`
	Hash     string    `json:"hash"`
}

// ErrNoPackage is returned when the folder holds no complete package and
// none was ever applied: there is nothing to sync yet.
var ErrNoPackage = errors.New("no complete package in the drop folder")

// FetchSince applies, oldest first, every settled package after the one
// the cursor names, to the roster the last package gave. With nothing new
// it returns that roster unchanged.
func (s *Source) FetchSince(ctx context.Context, prev connector.Previous) (*roster.Roster, []byte, error) {
	var last cursor
	if len(prev.Cursor) > 0 {
		if err := json.Unmarshal(prev.Cursor, &last); err != nil {
			return nil, nil, fmt.Errorf("drop folder %q: the stored cursor: %w", s.opts.Connection, err)
		}
	}
	base, err := prev.Raw()
	if err != nil {
		return nil, nil, fmt.Errorf("drop folder %q: the roster the last package gave: %w", s.opts.Connection, err)
	}
	pkgs, err := s.pending(last, base == nil)
	if err != nil {
		return nil, nil, err
	}
	if len(pkgs) == 0 {
		if base == nil {
			return nil, nil, fmt.Errorf("drop folder %q: %s: %w", s.opts.Connection, s.opts.Path, ErrNoPackage)
		}
		s.log.Info().Str("last", last.Name).Msg("no new package; the roster stays as the last package left it")
		if prev.Unchanged != nil {
			prev.Unchanged()
		}
		return base, prev.Cursor, nil
	}
	r := base
	var applied cursor
	for _, p := range pkgs {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		next, err := s.apply(p, r)
		var refused *refusal
		if errors.As(err, &refused) {
			// Refused whole: the roster stays as it was, and preflight
			// reports why; the cursor stays before this package.
			out := r
			if out == nil {
				out = &roster.Roster{}
			} else {
				c := *out
				out = &c
			}
			out.FieldErrors = append(append([]roster.FieldError(nil), out.FieldErrors...), refused.issues...)
			s.log.Warn().Str("package", p.name).Int("errors", len(refused.issues)).Msg("package refused")
			if applied.Hash == "" {
				return out, prev.Cursor, nil
			}
			data, _ := json.Marshal(applied)
			return out, data, nil
		}
		if err != nil {
			return nil, nil, err
		}
		r = next
		applied = cursor{Name: p.name, Modified: p.modified, Hash: p.hash}
		s.log.Info().Str("package", p.name).Str("format", p.format).Msg("package applied")
	}
	data, err := json.Marshal(applied)
	if err != nil {
		return nil, nil, err
	}
	return r, data, nil
}

// refusal is a package with errors: they become the roster's field
// errors, so preflight refuses the run and names each.
type refusal struct{ issues []roster.FieldError }

func (r *refusal) Error() string { return fmt.Sprintf("package refused with %d errors", len(r.issues)) }

// EntityPackage is the entity a package's errors are reported under.
const EntityPackage roster.Entity = "package"

// apply reads package p and applies it to base.
func (s *Source) apply(p pkg, base *roster.Roster) (*roster.Roster, error) {
	switch p.format {
	case FormatOneRoster:
		op, err := oneroster.ReadPackage(p.path)
		var pe *oneroster.PackageError
		if errors.As(err, &pe) {
			return nil, &refusal{issues: oneRosterIssues(p.name, pe)}
		}
		if err != nil {
			return nil, fmt.Errorf("drop folder %q: %w", s.opts.Connection, err)
		}
		for _, is := range op.Issues {
			if is.Severity == oneroster.SeverityWarning {
				s.log.Warn().Str("package", p.name).Str("where", is.File).Int("line", is.Line).Str("column", is.Column).Msg(is.Message)
			}
		}
		return op.Apply(base, s.opts.Map)
	default:
		r, err := clevercsv.Read(p.path)
		var ce *clevercsv.Error
		if errors.As(err, &ce) {
			return nil, &refusal{issues: cleverIssues(p.name, ce)}
		}
		if err != nil {
			return nil, fmt.Errorf("drop folder %q: %w", s.opts.Connection, err)
		}
		return r, nil
	}
}

// oneRosterIssues turns a refused OneRoster package's errors into field
// errors named by package, file, line and column.
func oneRosterIssues(name string, pe *oneroster.PackageError) []roster.FieldError {
	out := make([]roster.FieldError, 0, len(pe.Errors)+1)
	for _, is := range pe.Errors {
		out = append(out, roster.FieldError{Entity: EntityPackage, ID: location(name, is.File, is.Line), Field: is.Column, Message: is.Message})
	}
	if more := pe.Count - len(pe.Errors); more > 0 {
		out = append(out, roster.FieldError{Entity: EntityPackage, ID: name, Message: fmt.Sprintf("and %d more errors", more)})
	}
	return out
}

func cleverIssues(name string, ce *clevercsv.Error) []roster.FieldError {
	out := make([]roster.FieldError, 0, len(ce.Errors)+1)
	for _, fe := range ce.Errors {
		msg := fe.Err.Error()
		out = append(out, roster.FieldError{Entity: EntityPackage, ID: location(name, fe.File, fe.Line), Field: fe.Column, Message: msg})
	}
	if ce.Omitted > 0 {
		out = append(out, roster.FieldError{Entity: EntityPackage, ID: name, Message: fmt.Sprintf("and %d more errors", ce.Omitted)})
	}
	return out
}

// location names where an error is: package/file:line.
func location(pkgName, file string, line int) string {
	s := pkgName
	if file != "" {
		s += "/" + file
	}
	if line > 0 {
		s += fmt.Sprintf(":%d", line)
	}
	return s
}
