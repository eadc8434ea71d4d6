package oneroster_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rosterd/rosterd/internal/fakeoneroster"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/internal/transport"
	"github.com/rosterd/rosterd/oneroster"
	"github.com/rosterd/rosterd/roster"
	"github.com/rs/zerolog"
)

const (
	consumerKey    = "ck-district"
	consumerSecret = "cs-7b3e-secret"
	clientID       = "client-district"
	clientSecret   = "client-9f2d-secret"
)

// restDistrict is a small generated district.
func restDistrict(t *testing.T) *roster.Roster {
	t.Helper()
	p, _ := synth.ProfileByName("tiny")
	r, _ := synth.Generate(p)
	return r
}

// provider is a fake OneRoster provider under test.
type provider struct {
	*fakeoneroster.Server
	data *fakeoneroster.Dataset
}

// serve starts the fake provider over r.
func serve(t *testing.T, r *roster.Roster, opts fakeoneroster.Options) (provider, string) {
	t.Helper()
	if opts.ConsumerKey == "" && opts.ClientID == "" && opts.BearerToken == "" {
		opts.ConsumerKey, opts.ConsumerSecret = consumerKey, consumerSecret
		opts.ClientID, opts.ClientSecret = clientID, clientSecret
	}
	data := fakeoneroster.FromRoster(r)
	fake := fakeoneroster.NewServer(data, opts)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return provider{fake, data}, srv.URL
}

func fast(t *testing.T) transport.Options {
	return transport.Options{
		Logger:       zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel),
		Retries:      3,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond,
		RequestsPerMinute: -1,
	}
}

func client(t *testing.T, o oneroster.ClientOptions) *oneroster.Client {
	t.Helper()
	if o.Connection == "" {
		o.Connection = "district"
	}
	if o.Transport.RetryWaitMin == 0 {
		o.Transport = fast(t)
	}
	c, err := oneroster.NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func v11(url string) oneroster.ClientOptions {
	return oneroster.ClientOptions{Version: oneroster.Version11, BaseURL: url + fakeoneroster.BasePathV1p1,
		Auth: oneroster.AuthOAuth1, ConsumerKey: consumerKey, ConsumerSecret: consumerSecret}
}

func v12(url string) oneroster.ClientOptions {
	return oneroster.ClientOptions{Version: oneroster.Version12, BaseURL: url + fakeoneroster.BasePathV1p2,
		Auth: oneroster.AuthOAuth2, TokenURL: url + fakeoneroster.TokenPath, ClientID: clientID, ClientSecret: clientSecret}
}

// Ensure a full pull reads every record of every collection, in both
// versions, whatever the page size and the provider's cap, one page or
// several at a time.
func TestClient_Dataset(t *testing.T) {
	r := restDistrict(t)
	for _, tt := range []struct {
		name     string
		fake     fakeoneroster.Options
		opts     func(string) oneroster.ClientOptions
		pageSize int
		inFlight int
	}{
		{"1.1 OAuth1 pages of 7", fakeoneroster.Options{}, v11, 7, 1},
		{"1.2 OAuth2 pages of 7, 4 in flight", fakeoneroster.Options{}, v12, 7, 4},
		{"1.2 capped at 5 of 1000 asked", fakeoneroster.Options{MaxLimit: 5}, v12, 1000, 1},
		{"1.2 capped at 5, 3 in flight", fakeoneroster.Options{MaxLimit: 5}, v12, 1000, 3},
		{"1.1 without Link headers", fakeoneroster.Options{Links: fakeoneroster.LinkNone}, v11, 10, 2},
		{"1.1 with GG4L's off-by-one links", fakeoneroster.Options{Links: fakeoneroster.LinkGG4L}, v11, 10, 1},
		{"1.2 HMAC-SHA1 provider on 1.1", fakeoneroster.Options{SignatureMethod: fakeoneroster.HMACSHA1}, func(u string) oneroster.ClientOptions {
			o := v11(u)
			o.SignatureMethod = "HMAC-SHA1"
			return o
		}, 50, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fake, url := serve(t, r, tt.fake)
			o := tt.opts(url)
			o.PageSize, o.MaxInFlight, o.Demographics = tt.pageSize, tt.inFlight, true
			d, err := client(t, o).Dataset(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			version := fakeoneroster.V1p1
			if o.Version == oneroster.Version12 {
				version = fakeoneroster.V1p2
			}
			for coll, got := range map[string]int{
				"orgs": len(d.Orgs), "academicSessions": len(d.AcademicSessions), "courses": len(d.Courses),
				"classes": len(d.Classes), "users": len(d.Users), "enrollments": len(d.Enrollments), "demographics": len(d.Demographics),
			} {
				if want := fake.data.Len(version, coll); got != want {
					t.Errorf("%s: read %d, the provider serves %d", coll, got, want)
				}
			}
		})
	}
}

// Ensure the roster a pull maps to is the district the provider serves,
// field for field, for what OneRoster can carry, in both versions.
func TestSource_Fetch(t *testing.T) {
	r := restDistrict(t)
	_, url := serve(t, r, fakeoneroster.Options{})
	var got []*roster.Roster
	for _, o := range []oneroster.ClientOptions{v11(url), v12(url)} {
		o.Demographics = true
		ro, err := oneroster.NewSource(client(t, o), oneroster.MapOptions{}).Fetch(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(ro.FieldErrors) != 0 {
			t.Errorf("%s: field errors %+v", o.Version, ro.FieldErrors[:min(3, len(ro.FieldErrors))])
		}
		got = append(got, ro)
	}
	if n := len(got[0].Users); n == 0 || len(got[0].Sections) != len(r.Sections) {
		t.Fatalf("1.1 pull: %d users, %d sections (want %d)", n, len(got[0].Sections), len(r.Sections))
	}
	// Each section's students and primary teacher survive the trip.
	want := map[string]roster.Section{}
	for _, s := range r.Sections {
		want[s.ID] = s
	}
	for _, ro := range got {
		for _, s := range ro.Sections {
			w, ok := want[s.ID]
			if !ok {
				t.Fatalf("section %s is not the district's", s.ID)
			}
			if diff := cmp.Diff(w.Students, s.Students, cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("section %s students (-want +got):\n%s", s.ID, diff)
			}
			if w.PrimaryTeacher() != s.PrimaryTeacher() {
				t.Errorf("section %s primary teacher %q, want %q", s.ID, s.PrimaryTeacher(), w.PrimaryTeacher())
			}
		}
	}
}

// Ensure the provider's refusals are errors that name the connection,
// path and status, for a wrong secret and for a token the provider never
// issued, and that no secret is in the error.
func TestClient_AuthErrors(t *testing.T) {
	r := restDistrict(t)
	_, url := serve(t, r, fakeoneroster.Options{})
	bad11 := v11(url)
	bad11.ConsumerSecret = "wrong-secret-1234"
	bad12 := v12(url)
	bad12.ClientSecret = "wrong-secret-5678"
	bearer := v12(url)
	bearer.Auth, bearer.Token = oneroster.AuthBearer, "never-issued-token"
	for name, o := range map[string]oneroster.ClientOptions{"oauth1": bad11, "oauth2": bad12, "bearer": bearer} {
		t.Run(name, func(t *testing.T) {
			_, err := client(t, o).Dataset(context.Background(), nil)
			if err == nil {
				t.Fatal("a wrong credential fetched a roster")
			}
			for _, secret := range []string{"wrong-secret", "never-issued", consumerSecret, clientSecret} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows a secret: %v", err)
				}
			}
			if !strings.Contains(err.Error(), `oneroster "district"`) || !strings.Contains(err.Error(), "401") && !strings.Contains(err.Error(), "invalid_client") {
				t.Errorf("error %v does not name the connection and the refusal", err)
			}
		})
	}
}

// Ensure faults the retries absorb give every record, and a crawl whose
// count disagrees with X-Total-Count fails.
func TestClient_Faults(t *testing.T) {
	r := restDistrict(t)
	fake, url := serve(t, r, fakeoneroster.Options{})
	for _, f := range []fakeoneroster.Fault{
		{Path: fakeoneroster.BasePathV1p2 + "/users", Kind: fakeoneroster.FaultStatus, Status: 503, Times: 2},
		{Path: fakeoneroster.BasePathV1p2 + "/classes", Kind: fakeoneroster.FaultRateLimit},
		{Path: fakeoneroster.BasePathV1p2 + "/enrollments", Kind: fakeoneroster.FaultTruncate, Times: 1},
		{Path: fakeoneroster.BasePathV1p2 + "/orgs", Kind: fakeoneroster.FaultHTML, Status: 502},
	} {
		fake.Inject(f)
	}
	o := v12(url)
	o.PageSize = 10
	d, err := client(t, o).Dataset(context.Background(), nil)
	if err != nil {
		t.Fatalf("faults the retries absorb failed the pull: %v", err)
	}
	if want := fake.data.Len(fakeoneroster.V1p2, "users"); len(d.Users) != want {
		t.Errorf("read %d users, want %d", len(d.Users), want)
	}

	// Data changing mid-crawl: a second page of another, smaller district.
	o.MaxInFlight = 1
	smaller := restDistrict(t)
	smaller.Users = smaller.Users[:len(smaller.Users)/2]
	fake.Inject(fakeoneroster.Fault{Path: fakeoneroster.BasePathV1p2 + "/users", Kind: fakeoneroster.FaultSlow, Delay: 50 * time.Millisecond, After: 1})
	go func() {
		time.Sleep(20 * time.Millisecond)
		fake.SetDataset(fakeoneroster.FromRoster(smaller))
	}()
	_, err = client(t, o).Dataset(context.Background(), nil)
	if !errors.Is(err, oneroster.ErrCountMismatch) {
		t.Errorf("a district that shrank mid-crawl: %v, want ErrCountMismatch", err)
	}
}
