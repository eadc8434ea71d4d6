package clever_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/rosterd/rosterd/clever"
	"github.com/rosterd/rosterd/internal/transport"
)

const (
	// baseURLPath prefixes every API path, so that a client building URLs
	// from the server root instead of BaseURL fails the test.
	baseURLPath = "/api-v3"
	testToken   = "tok-2f6c1e0d9b8a7f6e"
	testConn    = "springfield"
)

// setup starts a test server and a client for it, go-github style. The
// client's BaseURL is serverURL + baseURLPath + "/v3.0" and its AuthURL is
// serverURL + baseURLPath; handlers register on mux without the prefix
// ("GET /v3.0/sections"). Options can be adjusted with opts.
func setup(t *testing.T, opts ...func(*clever.Options)) (client *clever.Client, mux *http.ServeMux, serverURL string) {
	t.Helper()
	mux = http.NewServeMux()
	root := http.NewServeMux()
	root.Handle(baseURLPath+"/", http.StripPrefix(baseURLPath, mux))
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base URL path: %s %s", r.Method, r.RequestURI)
		http.Error(w, "outside the base URL path", http.StatusBadRequest)
	})
	srv := httptest.NewServer(root)
	t.Cleanup(srv.Close)

	o := clever.Options{
		Connection: testConn,
		BaseURL:    srv.URL + baseURLPath + "/v3.0",
		AuthURL:    srv.URL + baseURLPath,
		Token:      testToken,
		Transport:  fastTransport(),
	}
	o.Transport.Logger = zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.DebugLevel)
	for _, f := range opts {
		f(&o)
	}
	client, err := clever.NewClient(o)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return client, mux, srv.URL
}

// fastTransport retries twice with millisecond backoff and no limiter.
func fastTransport() transport.Options {
	return transport.Options{
		Retries:           2,
		RetryWaitMin:      time.Millisecond,
		RetryWaitMax:      2 * time.Millisecond,
		RequestsPerMinute: -1,
	}
}

func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	if r.Method != want {
		t.Errorf("request method = %s, want %s", r.Method, want)
	}
}

func testQuery(t *testing.T, r *http.Request, want url.Values) {
	t.Helper()
	if diff := cmp.Diff(want, r.URL.Query()); diff != "" {
		t.Errorf("request query mismatch (-want +got):\n%s", diff)
	}
}

func testBearer(t *testing.T, r *http.Request) {
	t.Helper()
	if got, want := r.Header.Get("Authorization"), "Bearer "+testToken; got != want {
		t.Errorf("Authorization = %q, want %q", got, want)
	}
}

// listBody renders a list page: each item wrapped as Clever does, and a
// next link (absolute path, base prefix included) when next is not "".
func listBody(collection, next string, items ...string) string {
	wrapped := make([]string, len(items))
	for i, it := range items {
		wrapped[i] = fmt.Sprintf(`{"data":%s,"uri":"/v3.0/%s/x"}`, it, collection)
	}
	links := fmt.Sprintf(`{"rel":"self","uri":"%s/v3.0/%s"}`, baseURLPath, collection)
	if next != "" {
		links += fmt.Sprintf(`,{"rel":"next","uri":%q}`, next)
	}
	return fmt.Sprintf(`{"data":[%s],"links":[%s]}`, strings.Join(wrapped, ","), links)
}

func writeJSON(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	io.WriteString(w, body)
}

// Ensure NewClient rejects incomplete or contradictory options with an
// error naming the connection and never the secret.
func TestNewClient_Invalid(t *testing.T) {
	tests := []struct {
		name string
		opts clever.Options
		want string
	}{
		{"NoConnection", clever.Options{Token: "t"}, "connection name is required"},
		{"NoCredentials", clever.Options{Connection: "c"}, "a token or client credentials are required"},
		{"Both", clever.Options{Connection: "c", Token: "t", ClientID: "id", ClientSecret: "hunter2"}, "not both"},
		{"SecretMissing", clever.Options{Connection: "c", ClientID: "id", DistrictID: "d"}, "both a client ID and a client secret"},
		{"NoDistrict", clever.Options{Connection: "c", ClientID: "id", ClientSecret: "hunter2"}, "need the district ID"},
		{"PageTooLarge", clever.Options{Connection: "c", Token: "t", PageSize: 10001}, "page size 10001 outside 1..10000"},
		{"PageNegative", clever.Options{Connection: "c", Token: "t", PageSize: -1}, "page size -1"},
		{"RelativeBase", clever.Options{Connection: "c", Token: "t", BaseURL: "api.clever.com/v3.0"}, "base URL"},
		{"BaseWithQuery", clever.Options{Connection: "c", Token: "t", BaseURL: "https://api.clever.com/v3.0?x=1"}, "query"},
		{"FTPAuth", clever.Options{Connection: "c", Token: "t", AuthURL: "ftp://clever.com"}, "auth URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := clever.NewClient(tt.opts)
			if err == nil {
				t.Fatal("NewClient succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if tt.opts.Connection != "" && !strings.Contains(err.Error(), `"c"`) {
				t.Errorf("error %q does not name the connection", err)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q leaks the client secret", err)
			}
		})
	}
}

// Ensure printing Options shows whether secrets are set, never their
// values.
func TestOptions_String(t *testing.T) {
	o := clever.Options{Connection: "c", Token: "tok-visible?", ClientSecret: "hunter2"}
	for _, s := range []string{o.String(), fmt.Sprintf("%v", o), fmt.Sprintf("%+v", o), fmt.Sprintf("%#v", o)} {
		if strings.Contains(s, "tok-visible?") || strings.Contains(s, "hunter2") {
			t.Errorf("printed options leak a secret: %s", s)
		}
		if !strings.Contains(s, "Token:set") {
			t.Errorf("printed options %s do not say the token is set", s)
		}
	}
}

// Ensure requests carry the bearer token, ask for JSON, and send the page
// size as limit.
func TestClient_Request(t *testing.T) {
	client, mux, _ := setup(t, func(o *clever.Options) { o.PageSize = 250 })
	mux.HandleFunc("GET /v3.0/terms", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testQuery(t, r, url.Values{"limit": {"250"}})
		testBearer(t, r)
		if got := r.Header.Get("Accept"); got != "application/json" {
			t.Errorf("Accept = %q, want application/json", got)
		}
		writeJSON(w, listBody("terms", "", `{"id":"t1","name":"Y1","start_date":"2012-12-01","end_date":"2013-06-01T00:00:00.000Z"}`))
	})

	var got []clever.Term
	err := client.ListTerms(t.Context(), func(page []clever.Term) error {
		got = append(got, page...)
		return nil
	})
	if err != nil {
		t.Fatalf("ListTerms: %v", err)
	}
	want := []clever.Term{{ID: "t1", Name: "Y1", StartDate: "2012-12-01", EndDate: "2013-06-01T00:00:00.000Z"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListTerms mismatch (-want +got):\n%s", diff)
	}
}
