package oneroster

import (
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/rosterd/rosterd/internal/fakeoneroster"
	"github.com/rosterd/rosterd/internal/synth"
	"github.com/rosterd/rosterd/internal/transport"
	"github.com/rs/zerolog"
)

// userPages are page bodies for the fast user decoder, as enrollmentPages
// are for the enrollment one.
var userPages = []fastPage{
	{"1.2 as the fake sends it", `{"users":[{"sourcedId":"u1","status":"active","dateLastModified":"2026-08-02T05:33:56.000Z","username":"madisont0",` +
		`"userIds":[{"type":"studentNumber","identifier":"302714280"},{"type":"studentStateId","identifier":"4908142840"}],"enabledUser":"true",` +
		`"givenName":"Madison","familyName":"Turner","middleName":"E","roles":[{"roleType":"primary","role":"student",` +
		`"org":{"href":"/orgs/s1","sourcedId":"s1","type":"org"}}],"primaryOrg":{"href":"/orgs/s1","sourcedId":"s1","type":"org"},` +
		`"identifier":"302714280","agents":[{"href":"/users/p1","sourcedId":"p1","type":"user"},{"sourcedId":"p2"}],"grades":["KG"]}]}`, true},
	{"1.1 as the fake sends it", `{"users":[{"sourcedId":"u1","status":"active","username":"m","enabledUser":"true","givenName":"M","familyName":"T",` +
		`"role":"student","identifier":"3","agents":[{"sourcedId":"p1","type":"user"}],"orgs":[{"href":"/orgs/s1","sourcedId":"s1","type":"org"}],"grades":["KG","01"]}]}`, true},
	{"every member, in another order, spaces", "{ \"users\" : [ {\"phone\":\"555\" ,\n\t\"sms\":\"556\",\"email\":\"a@b.org\",\"pronouns\":\"she/her\"," +
		`"preferredLastName":"L","preferredMiddleName":"M","preferredFirstName":"F","userMasterIdentifier":"m1","password":"x",` +
		`"roles":[{"endDate":"2026-06-30","beginDate":"2025-07-01","userProfile":"p","org":{"sourcedId":"s"},"role":"teacher","roleType":"secondary"},{}],` +
		`"metadata":{"ext":{"a":[1,"x]",{"b":null}]}},"userIds":[{"identifier":"i"},{}]} , {} ] }`, true},
	{"empty lists, and null ones", `{"users":[{"userIds":[],"agents":[],"orgs":[],"roles":[],"grades":[]},` +
		`{"userIds":null,"agents":null,"orgs":null,"roles":null,"grades":null,"metadata":null,"enabledUser":null}]}`, true},
	{"lenient values in every form", `{"users":[{"enabledUser":true,"grades":"09,10"},{"enabledUser":"no","grades":[9,"10"]},` +
		`{"enabledUser":1,"grades":["",""]},{"metadata":{}},{"metadata":"x"},{"enabledUser":{}}]}`, true},
	{"unknown members, nested", `{"users":[{"userProfiles":[{"credentials":[{"type":"x","password":"y"}]}],"demographics":{"href":"/d/u"},` +
		`"roles":[{"org":{"sourcedId":"s","extra":{"sourcedId":"nested"}},"extra":[true,false,null,-1.5e3]}]}]}`, true},
	{"other members around the collection", `{"statusInfoSet":[],"users":[{"sourcedId":"u"}],"next":"x"}`, true},
	{"null collection", `{"users":null}`, true},

	{"an escape in a name", `{"users":[{"familyName":"O\u0027Brien"}]}`, false},
	{"beyond ASCII in a name", `{"users":[{"givenName":"José"}]}`, false},
	{"null string", `{"users":[{"givenName":null}]}`, false},
	{"number for a string", `{"users":[{"identifier":302714280}]}`, false},
	{"object for a list", `{"users":[{"userIds":{"type":"a"}}]}`, false},
	{"null element of a list", `{"users":[{"agents":[null]}]}`, false},
	{"string element of a list", `{"users":[{"orgs":["s1"]}]}`, false},
	{"null role", `{"users":[{"roles":[null]}]}`, false},
	{"null role org", `{"users":[{"roles":[{"org":null}]}]}`, false},
	{"null primary org", `{"users":[{"primaryOrg":null}]}`, false},
	{"a list named twice", `{"users":[{"agents":[{"sourcedId":"a"}],"agents":[{"sourcedId":"b"}]}]}`, false},
	{"a role's member named twice", `{"users":[{"roles":[{"role":"student","role":"teacher"}]}]}`, false},
	{"an identifier's member named twice", `{"users":[{"userIds":[{"type":"a","type":"b"}]}]}`, false},
	{"member in another case", `{"users":[{"GivenName":"a"}]}`, false},
	{"a role's member in another case", `{"users":[{"roles":[{"Role":"student"}]}]}`, false},
	{"an identifier's member in another case", `{"users":[{"userIds":[{"Identifier":"a"}]}]}`, false},
	{"lenient value the library refuses", `{"users":[{"grades":{"a":1}}]}`, false},
	{"deep nesting", `{"users":[{"metadata":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}]}`, false},
	{"a trailing comma in a list", `{"users":[{"agents":[{"sourcedId":"a"},]}]}`, false},
	{"cut short", `{"users":[{"roles":[{"role":"student"}`, false},
	{"not JSON", `<html>`, false},
}

// Ensure the fast decoder decodes the user pages it should, exactly as
// the library does, and gives up the others, leaving the items as they
// were.
func TestDecodeUsersFast(t *testing.T) {
	testFastPages(t, userPages, "users", decodeUsersFast)
}

// Ensure the fake provider's user pages, in both versions, take the fast
// path.
func TestDecodeUsersFast_FakesPages(t *testing.T) {
	testFakesPages(t, "users", decodeUsersFast)
}

// Ensure no record's table of members outgrows the bits that track the
// members seen.
func TestFastMembers_FitTheirBits(t *testing.T) {
	for name, n := range map[string]int{
		"enrollment": len(enrollmentMembers), "user": len(userMembers), "userId": len(userIDMembers),
		"role": len(roleMembers), "ref": len(refMembers),
	} {
		if n > maxFastMembers {
			t.Errorf("%s has %d members, more than %d", name, n, maxFastMembers)
		}
	}
}

// FuzzUsersFast holds the fast user decoder to the library: a page it
// decodes, the library decodes to the same users.
func FuzzUsersFast(f *testing.F) {
	for _, tt := range userPages {
		f.Add([]byte(tt.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) { fuzzFastPage(t, body, "users", decodeUsersFast) })
}

// Ensure a crawl of the fake, in both versions, reads every page of users
// and enrollments with the fast scan (decodePage), and every other page
// with the library: the scan is used, not only correct.
func TestDecodePage_FastOnTheFakesPages(t *testing.T) {
	p, _ := synth.ProfileByName("small")
	gen, _ := synth.Generate(p)
	const id, secret = "client-fast", "secret-fast"
	srv := httptest.NewServer(fakeoneroster.NewServer(fakeoneroster.FromRoster(gen), fakeoneroster.Options{
		ClientID: id, ClientSecret: secret, ConsumerKey: id, ConsumerSecret: secret}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { pageDecodedHook = nil })
	for _, opts := range []ClientOptions{
		{Version: Version11, BaseURL: srv.URL + fakeoneroster.BasePathV1p1, Auth: AuthOAuth1, ConsumerKey: id, ConsumerSecret: secret},
		{Version: Version12, BaseURL: srv.URL + fakeoneroster.BasePathV1p2, Auth: AuthOAuth2, TokenURL: srv.URL + fakeoneroster.TokenPath,
			ClientID: id, ClientSecret: secret},
	} {
		type pages struct{ fast, library int }
		got := map[string]pages{}
		var mu sync.Mutex
		pageDecodedHook = func(key string, fast bool) {
			mu.Lock()
			defer mu.Unlock()
			p := got[key]
			if fast {
				p.fast++
			} else {
				p.library++
			}
			got[key] = p
		}
		opts.Connection, opts.PageSize = "fast", 500
		opts.Transport = transport.Options{Logger: zerolog.Nop(), RequestsPerMinute: -1}
		c, err := NewClient(opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Walk(t.Context(), func(string, int) error { return nil }); err != nil {
			t.Fatalf("%s: Walk: %v", opts.Version, err)
		}
		for key, p := range got {
			wantFast := key == "users" || key == "enrollments"
			switch {
			case wantFast && (p.library > 0 || p.fast == 0):
				t.Errorf("%s: %s pages: %d fast, %d by the library; want all fast", opts.Version, key, p.fast, p.library)
			case !wantFast && p.fast > 0:
				t.Errorf("%s: %s pages: %d fast; the scan reads only users and enrollments", opts.Version, key, p.fast)
			}
		}
		for _, key := range []string{"users", "enrollments", "classes"} {
			if _, ok := got[key]; !ok {
				t.Errorf("%s: no %s page decoded; the collections seen: %v", opts.Version, key, got)
			}
		}
	}
}
