package clever_test

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterd/rosterd/clever"
)

const (
	testClientID     = "app-client-id"
	testClientSecret = "app-client-secret-5e4d"
	// The district and token of fixtures/clever/oauth/tokens.json.
	fixtureDistrict = "12341b95c7cc000010d417c"
	fixtureToken    = "12345fcabb18e535b594ed2096c5c8e242362be5"
)

// serveTokenListing serves the recorded token listing, asserting Basic
// auth and the owner_type query, and counts the requests.
func serveTokenListing(t *testing.T, mux *http.ServeMux) *atomic.Int32 {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(clever.FixtureDir(t, "clever", "oauth"), "tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	mux.HandleFunc("GET /oauth/tokens", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		testQuery(t, r, url.Values{"owner_type": {"district"}})
		user, pass, ok := r.BasicAuth()
		if !ok || user != testClientID || pass != testClientSecret {
			t.Errorf("token listing auth = %q, %v; want Basic %s:<secret>", r.Header.Get("Authorization"), ok, testClientID)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		writeJSON(w, string(body))
	})
	return &calls
}

func withClientCredentials(districtID string) func(*clever.Options) {
	return func(o *clever.Options) {
		o.Token = ""
		o.ClientID, o.ClientSecret, o.DistrictID = testClientID, testClientSecret, districtID
	}
}

// Ensure client credentials discover the district's token from the token
// listing (Basic auth), use it as the bearer token, and read the listing
// only once.
func TestClient_TokenDiscovery(t *testing.T) {
	client, mux, _ := setup(t, withClientCredentials(fixtureDistrict))
	listings := serveTokenListing(t, mux)
	mux.HandleFunc("GET /v3.0/districts", func(w http.ResponseWriter, r *http.Request) {
		if got, want := r.Header.Get("Authorization"), "Bearer "+fixtureToken; got != want {
			t.Errorf("Authorization = %q, want %q", got, want)
		}
		writeJSON(w, listBody("districts", "", `{"id":"`+fixtureDistrict+`","name":"Demo"}`))
	})

	for range 2 {
		ds, err := client.Districts(t.Context())
		if err != nil {
			t.Fatalf("Districts: %v", err)
		}
		if len(ds) != 1 || ds[0].ID != fixtureDistrict {
			t.Errorf("Districts = %+v, want the fixture district", ds)
		}
	}
	if n := listings.Load(); n != 1 {
		t.Errorf("token listing read %d times, want once", n)
	}
}

// Ensure a district missing from the token listing is an auth error that
// names the district and never the secret, and that no API request goes
// out without a token.
func TestClient_TokenDiscoveryNotAuthorized(t *testing.T) {
	client, mux, _ := setup(t, withClientCredentials("5f0000000000000000000001"))
	serveTokenListing(t, mux)
	mux.HandleFunc("GET /v3.0/districts", func(w http.ResponseWriter, r *http.Request) {
		t.Error("API called without a token")
	})

	_, err := client.Districts(t.Context())
	if !errors.Is(err, clever.ErrDistrictNotAuthorized) {
		t.Fatalf("err = %v, want ErrDistrictNotAuthorized", err)
	}
	if !strings.Contains(err.Error(), "5f0000000000000000000001") || !strings.Contains(err.Error(), "has not authorised the app") {
		t.Errorf("error %q does not name the district and the cause", err)
	}
	if strings.Contains(err.Error(), testClientSecret) {
		t.Errorf("error %q leaks the client secret", err)
	}
	if !clever.IsAuth(err) || clever.IsTransient(err) {
		t.Errorf("IsAuth, IsTransient = %v, %v; want true, false", clever.IsAuth(err), clever.IsTransient(err))
	}
}

// Ensure rejected client credentials surface as the listing's 401.
func TestClient_TokenDiscoveryBadCredentials(t *testing.T) {
	client, mux, _ := setup(t, withClientCredentials(fixtureDistrict))
	mux.HandleFunc("GET /oauth/tokens", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":"invalid_client"}`))
	})

	_, err := client.Districts(t.Context())
	var apiErr *clever.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Path != baseURLPath+"/oauth/tokens?owner_type=district" {
		t.Fatalf("err = %v, want the token listing's 401", err)
	}
	if !clever.IsAuth(err) {
		t.Error("IsAuth = false")
	}
	if strings.Contains(err.Error(), testClientSecret) {
		t.Errorf("error %q leaks the client secret", err)
	}
}

// Ensure Me decodes the recorded /me response.
func TestClient_Me(t *testing.T) {
	rec := loadRecording(t, "me_teacher_token.json")
	it := &rec.Interactions[0]
	client, mux, _ := setup(t)
	mux.HandleFunc("GET /v3.0/me", func(w http.ResponseWriter, r *http.Request) {
		testBearer(t, r)
		testQuery(t, r, url.Values{})
		it.writeRecorded(t, w, it.body(t))
	})

	got, err := client.Me(t.Context())
	if err != nil {
		t.Fatalf("Me: %v", err)
	}
	want := clever.Me{ID: "58da8c5da7a7e5a647000094", District: "58da8a43cc70ab00017a1a87", Type: "teacher"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Me mismatch (-want +got):\n%s", diff)
	}
}
