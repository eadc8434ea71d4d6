package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/rosterd/rosterd/connector"
	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/sharing"
	"github.com/rosterd/rosterd/state"
)

// topConflicts is how many conflicting section pairs "rules test" lists.
const topConflicts = 10

func rulesCommand() *command {
	c := &command{
		name:    "rules",
		args:    "test|explain [--config FILE] [--connection NAME] [--fetch] [--student ID|SIS_ID] [--section ID|SIS_ID]",
		summary: "Try the sharing rules on the last fetched roster, without committing",
		describe: `
The workbench for sharing rules. Every run keeps the roster it fetched
(after data minimisation, before the rules) in the state file; these
commands apply the rules as they are in the config now to that roster, or
to a fresh fetch with --fetch, and never change the committed roster or
the run history.

  rules test      students with one, no and several sections; the section
                  pairs students are most often left in together; what each
                  rule kept and dropped; and, against the committed roster,
                  what a commit would change and every issue preflight
                  would report.
  rules explain   every section a student (--student) was in before the
                  rules, or one section (--section), and why the rules kept
                  or dropped each.

Exit status: 0 the rules pass preflight, 3 preflight would refuse the run,
1 anything else.`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		var configPath, only, student, section string
		var fetch bool
		fs := c.flagSet(e, &configPath)
		fs.StringVar(&only, "connection", "", "the connection (needed when the config has several)")
		fs.BoolVar(&fetch, "fetch", false, "fetch the roster now (and keep it) instead of using the kept one")
		fs.StringVar(&student, "student", "", "explain: the student's ID or SIS ID")
		fs.StringVar(&section, "section", "", "explain: the section's ID or SIS ID")
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			return exitCodeForFlagErr(err)
		}
		if len(pos) != 1 || (pos[0] != "test" && pos[0] != "explain") {
			e.errorf(`rules needs the subcommand "test" or "explain"`)
			fs.Usage()
			return exitFailure
		}
		explain := pos[0] == "explain"
		if explain && (student == "") == (section == "") {
			e.errorf("rules explain needs --student or --section (one of them)")
			return exitFailure
		}
		if !explain && (student != "" || section != "") {
			e.errorf("--student and --section are for rules explain")
			return exitFailure
		}
		a, err := openApp(configPath, e.stderr, !fetch)
		if err != nil {
			e.errorf("%v", err)
			return exitFailure
		}
		defer a.Close()
		cc, err := a.pickConnection(only)
		if err != nil {
			e.errorf("%v", err)
			return exitFailure
		}
		// Only a fetch needs the source and its credentials.
		conn := a.offlineConnection(cc)
		if fetch {
			if conn, err = a.connection(cc); err != nil {
				e.errorf("%v", err)
				return exitFailure
			}
		}
		raw, err := a.rawRoster(ctx, e, conn, fetch)
		if err != nil {
			e.errorf("%v", err)
			return exitFailure
		}
		if explain {
			return a.explain(e, conn, raw, student, section)
		}
		return a.testRules(e, conn, raw)
	}
	return c
}

// offlineConnection is c without its source: what the workbench needs to
// run the rules on a kept roster.
func (a *app) offlineConnection(c *ConnectionConfig) *connector.Connection {
	opts, _ := c.Preflight.options() // validated when the config loaded
	return &connector.Connection{Name: c.Name, Rules: c.rules, Preflight: opts}
}

// pickConnection returns the named connection, or the only one.
func (a *app) pickConnection(name string) (*ConnectionConfig, error) {
	if name != "" {
		return a.cfg.Connection(name)
	}
	if len(a.cfg.Connections) > 1 {
		names := make([]string, len(a.cfg.Connections))
		for i := range a.cfg.Connections {
			names[i] = a.cfg.Connections[i].Name
		}
		return nil, fmt.Errorf("the config has several connections; pick one with --connection (%s)", strings.Join(names, ", "))
	}
	return &a.cfg.Connections[0], nil
}

// rawRoster returns the roster the rules run on: fetched now, or the one
// the last run kept.
func (a *app) rawRoster(ctx context.Context, e *env, conn *connector.Connection, fetch bool) (*roster.Roster, error) {
	if fetch {
		r, err := a.engine.FetchRaw(ctx, conn)
		if err != nil {
			return nil, fmt.Errorf("connection %s: %w", conn.Name, err)
		}
		fmt.Fprintf(e.stdout, "Fetched the roster of %s now and kept it for later tests.\n", conn.Name)
		return r, nil
	}
	r, info, err := a.store.LoadRaw(conn.Name)
	if errors.Is(err, state.ErrNotFound) {
		return nil, fmt.Errorf("no fetched roster is kept for connection %s yet: run \"rosterd preflight\" or add --fetch", conn.Name)
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(e.stdout, "Using the roster of %s fetched %s (%d records).\n", conn.Name, info.Fetched.Local().Format("2006-01-02 15:04:05 MST"), info.Records)
	// The kept roster was minimised under the rules of its day; today's
	// rules may keep fewer fields.
	conn.Rules.Minimise(r)
	return r, nil
}

func (a *app) testRules(e *env, conn *connector.Connection, raw *roster.Roster) int {
	rep, res, err := a.engine.TryRules(conn, raw, sharing.ApplyOptions{ConflictPairs: topConflicts})
	if err != nil {
		e.errorf("connection %s: %v", conn.Name, err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "Nothing is committed or recorded: this is a test of the rules as the config states them now.\n\n")
	if len(res.Conflicts) > 0 {
		fmt.Fprintln(e.stdout, "Section pairs students are most often left in together:")
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  STUDENTS\tSECTION\tSECTION")
		for _, c := range res.Conflicts {
			fmt.Fprintf(tw, "  %d\t%s\t%s\n", c.Students, refLine(c.Sections[0]), refLine(c.Sections[1]))
		}
		tw.Flush()
		fmt.Fprintln(e.stdout)
	}
	if err := rep.WriteText(e.stdout); err != nil {
		e.errorf("print report: %v", err)
		return exitFailure
	}
	return exitCode(rep, nil)
}

func (a *app) explain(e *env, conn *connector.Connection, raw *roster.Roster, student, section string) int {
	w := e.stdout
	if student != "" {
		u, err := findStudent(raw, student)
		if err != nil {
			e.errorf("%v", err)
			return exitFailure
		}
		id, sis := u.ID, u.SISID()
		res := conn.Rules.Apply(raw, sharing.ApplyOptions{Trace: id})
		fmt.Fprintf(w, "Student %s (SIS ID %s) was in %d sections before the rules:\n", id, orNone(sis), len(res.Trace))
		writeDecisions(w, res.Trace)
		for _, n := range res.TraceNotes {
			fmt.Fprintf(w, "The student: %s.\n", n)
		}
		left := 0
		for _, d := range res.Trace {
			if d.Kept {
				left++
			}
		}
		fmt.Fprintf(w, "After the rules: in %d section(s).\n", left)
		return exitOK
	}
	s, err := findSection(raw, section)
	if err != nil {
		e.errorf("%v", err)
		return exitFailure
	}
	id, before := s.ID, len(s.Students)
	fmt.Fprintf(w, "Section %s (SIS ID %s):\n", id, orNone(s.SISID))
	res := conn.Rules.Apply(raw, sharing.ApplyOptions{Trace: id})
	writeDecisions(w, res.Trace)
	after := 0
	if i := slices.IndexFunc(raw.Sections, func(x roster.Section) bool { return x.ID == id }); i >= 0 {
		after = len(raw.Sections[i].Students)
	}
	fmt.Fprintf(w, "Students: %d before the rules, %d after.\n", before, after)
	return exitOK
}

func writeDecisions(w io.Writer, ds []sharing.Decision) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  SECTION\tKEPT\tWHY")
	for _, d := range ds {
		kept := "no"
		if d.Kept {
			kept = "yes"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", refLine(d.Section), kept, d.Reason)
	}
	tw.Flush()
}

// refLine names a section on one line: ID, then name, subject and
// period when it has them.
func refLine(r preflight.SectionRef) string {
	var parts []string
	for _, p := range []string{r.Name, r.Subject} {
		if p != "" {
			parts = append(parts, clean(p))
		}
	}
	if r.Period != "" {
		parts = append(parts, "period "+clean(r.Period))
	}
	if len(parts) == 0 {
		return r.ID
	}
	return r.ID + " (" + strings.Join(parts, ", ") + ")"
}

// clean quotes text with control characters, so a section name cannot
// break a terminal's table.
func clean(s string) string {
	if strings.ContainsFunc(s, unicode.IsControl) || !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// findStudent finds a student by ID, or else by SIS ID.
func findStudent(r *roster.Roster, key string) (*roster.User, error) {
	var bySIS []*roster.User
	for i := range r.Users {
		u := &r.Users[i]
		if u.Roles.Student == nil {
			continue
		}
		if u.ID == key {
			return u, nil
		}
		if u.Roles.Student.SISID == key {
			bySIS = append(bySIS, u)
		}
	}
	return one(bySIS, "student", key, func(u *roster.User) string { return u.ID })
}

// findSection finds a section by ID, or else by SIS ID.
func findSection(r *roster.Roster, key string) (*roster.Section, error) {
	var bySIS []*roster.Section
	for i := range r.Sections {
		s := &r.Sections[i]
		if s.ID == key {
			return s, nil
		}
		if s.SISID == key {
			bySIS = append(bySIS, s)
		}
	}
	return one(bySIS, "section", key, func(s *roster.Section) string { return s.ID })
}

func one[T any](found []*T, what, key string, id func(*T) string) (*T, error) {
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, fmt.Errorf("no %s with ID or SIS ID %q in the fetched roster", what, key)
	}
	ids := make([]string, len(found))
	for i, f := range found {
		ids[i] = id(f)
	}
	return nil, fmt.Errorf("%d %ss have SIS ID %q (%s): give the ID", len(found), what, key, strings.Join(ids, ", "))
}
