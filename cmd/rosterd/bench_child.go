package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rosterd/rosterd/clever"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/internal/fakeoneroster"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/internal/transport"
	"github.com/rosterd/rosterd/oneroster"
	"github.com/rosterd/rosterd/roster"
	"github.com/rs/zerolog"
)

// benchServe is the child "rosterd bench serve": it serves a generated
// district from a fake on loopback, prints one summary line and then
// "listening URL", and then reads commands on its standard input, one a
// line, until it closes:
//
//	change SHARE   serve the district with SHARE (0..1] of its students
//	               changed by changeDistrict, from the seed; the reply,
//	               once it is served, is "changed " and the change as JSON.
//
// Any other line is answered "error " and what was wrong.
func benchServe(ctx context.Context, e *env, args []string) int {
	c := &command{name: "bench serve", summary: "Serve a generated district (internal to rosterd bench)"}
	var profileName, tokenFile, source string
	var events bool
	var seed int64
	fs := c.flagSet(e, nil)
	fs.StringVar(&source, "source", "clever", "clever or oneroster")
	fs.StringVar(&profileName, "profile", "large", "district size")
	fs.Int64Var(&seed, "seed", 1, "generator seed")
	fs.StringVar(&tokenFile, "token-file", "", "file holding the bearer token to accept")
	fs.BoolVar(&events, "events", false, "clever: record an event for each record a change changes")
	if ok, code := parse(fs, args); !ok {
		return code
	}
	// The fake provider is not rosterd: it serves at Go's default target,
	// so that rosterd's own (tuneGC) does not slow the pages every pass
	// is measured against.
	tuneGC(os.Getenv, 100)
	profile, ok := synth.ProfileByName(profileName)
	if !ok {
		e.errorf("unknown profile %q", profileName)
		return exitFailure
	}
	profile.Seed = seed
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		e.errorf("read token: %v", err)
		return exitFailure
	}
	start := time.Now()
	district, _ := synth.Generate(profile)
	var handler http.Handler
	var serve func(*roster.Roster) // swaps the district served
	if source == "oneroster" {
		s := fakeoneroster.NewServer(fakeoneroster.FromRoster(district), fakeoneroster.Options{
			ClientID: benchClientID, ClientSecret: strings.TrimSpace(string(token)), TokenLifetime: time.Hour,
		})
		handler, serve = s, func(r *roster.Roster) { s.SetDataset(fakeoneroster.FromRoster(r)) }
	} else {
		s := fakeclever.NewServer(fakeclever.FromRoster(district), fakeclever.Options{Token: strings.TrimSpace(string(token)), Events: events})
		handler, serve = s, func(r *roster.Roster) { s.SetDataset(fakeclever.FromRoster(r)) }
	}
	n := district.Count()
	enrollments := 0
	for i := range district.Sections {
		enrollments += len(district.Sections[i].Students)
	}
	summary := fmt.Sprintf("District: %d schools, %d sections, %d students, %d teachers, %d staff, %d contacts, %d student enrollments (generated and encoded in %s).",
		n[roster.EntitySchool], n[roster.EntitySection], n[roster.EntityStudent], n[roster.EntityTeacher],
		n[roster.EntityStaff], n[roster.EntityContact], enrollments, seconds(time.Since(start)))
	district = nil // the fake holds its own encoding

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.errorf("listen on loopback: %v", err)
		return exitFailure
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	fmt.Fprintln(e.stdout, summary)
	fmt.Fprintln(e.stdout, "listening http://"+ln.Addr().String())

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	for {
		var line string
		select {
		case l, ok := <-lines:
			if !ok {
				return exitOK
			}
			line = l
		case <-ctx.Done():
			return exitOK
		}
		arg, ok := strings.CutPrefix(line, "change ")
		share, err := strconv.ParseFloat(strings.TrimSpace(arg), 64)
		if !ok || err != nil || !(share > 0 && share <= 1) {
			fmt.Fprintf(e.stdout, "error want \"change SHARE\" with 0 < SHARE <= 1, not %q\n", line)
			continue
		}
		// The swap goes straight from one district to the other, never
		// through an empty one: a fake that keeps an event feed records
		// the difference, which must be the change and nothing else.
		changed, _ := synth.Generate(profile)
		sum := changeDistrict(changed, share, seed)
		serve(changed)
		debug.FreeOSMemory() // the old encoding and the roster
		reply, _ := json.Marshal(sum)
		fmt.Fprintf(e.stdout, "changed %s\n", reply)
	}
}

// benchFetch is the child "rosterd bench fetch": it pages through every
// collection a sync reads, decoding each page into the client's wire types
// and keeping nothing, and prints the number of records read.
func benchFetch(ctx context.Context, e *env, args []string) int {
	c := &command{name: "bench fetch", summary: "Fetch and decode every page (internal to rosterd bench)"}
	var url, tokenFile, source string
	var pageSize, inFlight int
	fs := c.flagSet(e, nil)
	fs.StringVar(&source, "source", "clever", "clever or oneroster")
	fs.IntVar(&inFlight, "in-flight", 1, "oneroster: pages at once")
	fs.StringVar(&url, "url", "", "API base URL, version included")
	fs.StringVar(&tokenFile, "token-file", "", "file holding the bearer token")
	fs.IntVar(&pageSize, "page-size", defaultPageSize, "records per page")
	if ok, code := parse(fs, args); !ok {
		return code
	}
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		e.errorf("read token: %v", err)
		return exitFailure
	}
	requests := &requestCounter{}
	var n int
	if source == "oneroster" {
		client, err := oneroster.NewClient(oneroster.ClientOptions{
			Connection: "bench", Version: oneroster.Version12, BaseURL: url + fakeoneroster.BasePathV1p2,
			Auth: oneroster.AuthOAuth2, TokenURL: url + fakeoneroster.TokenPath, ClientID: benchClientID,
			ClientSecret: strings.TrimSpace(string(token)), PageSize: pageSize, MaxInFlight: inFlight,
			Transport: transport.Options{Logger: zerolog.Nop(), RequestsPerMinute: 100000, Observer: requests},
		})
		if err == nil {
			// Page by page, keeping nothing, as fetchAll does for Clever:
			// the floor under what a sync's crawl adds by mapping.
			err = client.Walk(ctx, func(_ string, records int) error { n += records; return nil })
		}
		if err != nil {
			e.errorf("%v", err)
			return exitFailure
		}
	} else {
		client, err := clever.NewClient(clever.Options{
			Connection: "bench", BaseURL: url, AuthURL: url, Token: strings.TrimSpace(string(token)), PageSize: pageSize,
			Transport: transport.Options{Logger: zerolog.Nop(), RequestsPerMinute: cleverRequestsPerMinute, Observer: requests},
		})
		if err == nil {
			n, err = fetchAll(ctx, client)
		}
		if err != nil {
			e.errorf("%v", err)
			return exitFailure
		}
	}
	fmt.Fprintln(e.stdout, n, requests.n.Load())
	return exitOK
}

// benchClientID is the OAuth 2 client of the OneRoster bench; its secret is
// the bench's token.
const benchClientID = "rosterd-bench"

// requestCounter counts a fetch pass's requests.
type requestCounter struct{ n atomic.Int64 }

func (c *requestCounter) Attempt(int) { c.n.Add(1) }

func (c *requestCounter) RateLimitWait(time.Duration) {}

// fetchAll reads every collection a sync with every role reads, and
// counts the records.
func fetchAll(ctx context.Context, c *clever.Client) (int, error) {
	n := 0
	districts, err := c.Districts(ctx)
	if err != nil {
		return 0, err
	}
	n += len(districts)
	count := func(k int) error { n += k; return nil }
	if err := c.ListSchools(ctx, func(p []clever.School) error { return count(len(p)) }); err != nil {
		return 0, err
	}
	if err := c.ListTerms(ctx, func(p []clever.Term) error { return count(len(p)) }); err != nil {
		return 0, err
	}
	if err := c.ListCourses(ctx, func(p []clever.Course) error { return count(len(p)) }); err != nil {
		return 0, err
	}
	for _, role := range roster.AllRoles {
		if err := c.ListUsers(ctx, string(role), func(p []clever.User) error { return count(len(p)) }); err != nil {
			return 0, err
		}
	}
	if err := c.ListSections(ctx, func(p []clever.Section) error { return count(len(p)) }); err != nil {
		return 0, err
	}
	return n, nil
}
