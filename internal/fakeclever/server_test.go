package fakeclever_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterd/rosterd/internal/fakeclever"
	"github.com/rosterd/rosterd/roster"
)

func TestServer_Object(t *testing.T) {
	r := syntheticRoster(30)
	_, ts := startServer(t, fakeclever.FromRoster(r), fakeclever.Options{})

	t.Run("OK", func(t *testing.T) {
		id := r.Sections[0].ID
		resp, body := get(t, ts, "/v3.0/sections/"+id)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var got struct {
			Data  map[string]any `json:"data"`
			Links []struct{ Rel, URI string }
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if got.Data["id"] != id || got.Data["name"] != r.Sections[0].Name {
			t.Errorf("data = %v", got.Data)
		}
		want := []struct{ Rel, URI string }{{"self", "/v3.0/sections/" + id}}
		if diff := cmp.Diff(want, got.Links); diff != "" {
			t.Errorf("links mismatch (-want +got):\n%s", diff)
		}
	})
	// Ensure an unknown ID is a JSON 404, the way the API reports an
	// unshared or deleted record.
	t.Run("NotFound", func(t *testing.T) {
		resp, body := get(t, ts, "/v3.0/users/"+r.Sections[0].ID)
		if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if decodeMessage(t, body, "message") == "" {
			t.Errorf("no message in %s", body)
		}
	})
}

// Ensure paths the API does not route get Clever's Express HTML page.
func TestServer_HTMLNotFound(t *testing.T) {
	_, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), fakeclever.Options{})
	tests := []struct {
		method, path, pre string
	}{
		{"GET", "/v3.0/resources", "Cannot GET /v3.0/resources"},
		{"GET", "/v3.1/users", "Cannot GET /v3.1/users"},
		{"GET", "/nope?x=1", "Cannot GET /nope"},
		{"GET", "/v3.0/users/", "Cannot GET /v3.0/users/"},
		{"GET", "/v3.0/users/x/sections", "Cannot GET /v3.0/users/x/sections"},
		{"POST", "/v3.0/users", "Cannot POST /v3.0/users"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, ts.URL+tt.path, nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("%s %s: status %d, Content-Type %q", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		want := "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>" +
			tt.pre + "</pre>\n</body>\n</html>\n"
		if diff := cmp.Diff(want, string(body)); diff != "" {
			t.Errorf("%s %s body mismatch (-want +got):\n%s", tt.method, tt.path, diff)
		}
	}
}

// Ensure the 404 page is byte for byte what Clever sent in the recording.
func TestServer_HTMLNotFoundMatchesRecording(t *testing.T) {
	path := filepath.Join(fixturesDir(t), "clever", "recorded-v3.0", "error_404_html.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Interactions []struct {
			Response struct {
				Status  int               `json:"status"`
				Headers map[string]string `json:"headers"`
				Body    string            `json:"body"`
			} `json:"response"`
		} `json:"interactions"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	want := rec.Interactions[0].Response
	_, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), fakeclever.Options{})
	resp, body := get(t, ts, "/v3.0/resources")
	if resp.StatusCode != want.Status || string(body) != want.Body {
		t.Errorf("got %d %q, recorded %d %q", resp.StatusCode, body, want.Status, want.Body)
	}
	for _, h := range []string{"content-type", "content-length", "x-ratelimit-bucket", "x-ratelimit-limit"} {
		if got := resp.Header.Get(h); got != want.Headers[h] {
			t.Errorf("header %s = %q, recorded %q", h, got, want.Headers[h])
		}
	}
}

func TestServer_BearerAuth(t *testing.T) {
	fake, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), fakeclever.Options{})
	for _, auth := range []string{"", "Bearer wrong-token", "Bearer ", "Basic " + testToken, testToken} {
		resp, body := getWith(t, ts, "/v3.0/users", auth)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("Authorization %q: status %d", auth, resp.StatusCode)
			continue
		}
		if resp.Header.Get("Content-Type") != "application/json; charset=utf-8" || decodeMessage(t, body, "message") == "" {
			t.Errorf("Authorization %q: body %q", auth, body)
		}
	}
	if resp, _ := getWith(t, ts, "/v3.0/users", "bearer "+testToken); resp.StatusCode != http.StatusOK {
		t.Errorf("lower-case scheme: status %d", resp.StatusCode)
	}
	for _, req := range fake.Requests() {
		if req.Status == http.StatusUnauthorized && req.Bytes == 0 {
			t.Errorf("401 logged without a body: %+v", req)
		}
	}
}

// Ensure every API response carries Clever's headers and an exact length.
func TestServer_Headers(t *testing.T) {
	_, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(50)), fakeclever.Options{})
	seen := map[string]bool{}
	for _, path := range []string{"/v3.0/users?limit=3", "/v3.0/schools", "/v3.0/nothing", "/v3.0/users?limit=0"} {
		resp, body := get(t, ts, path)
		if n, err := strconv.Atoi(resp.Header.Get("Content-Length")); err != nil || n != len(body) {
			t.Errorf("%s: Content-Length %q for %d bytes", path, resp.Header.Get("Content-Length"), len(body))
		}
		for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Request-Id"} {
			if resp.Header.Get(h) == "" {
				t.Errorf("%s: no %s header", path, h)
			}
		}
		if got := resp.Header.Get("X-RateLimit-Bucket"); got != "bearer" {
			t.Errorf("%s: X-RateLimit-Bucket %q", path, got)
		}
		id := resp.Header.Get("X-Request-Id")
		if seen[id] {
			t.Errorf("%s: X-Request-Id %q repeated", path, id)
		}
		seen[id] = true
	}
}

func TestServer_SetDataset(t *testing.T) {
	fake, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), fakeclever.Options{})
	bigger := syntheticRoster(40)
	fake.SetDataset(fakeclever.FromRoster(bigger))
	p := getPage(t, ts, "/v3.0/users?role=student&limit=100")
	if len(p.Data) != 40 {
		t.Errorf("after SetDataset: %d students, want 40", len(p.Data))
	}
}

func TestServer_Requests(t *testing.T) {
	fake, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), fakeclever.Options{})
	_, body := get(t, ts, "/v3.0/schools?limit=2")
	getWith(t, ts, "/v3.0/terms", "")
	want := []fakeclever.Request{
		{Method: "GET", Path: "/v3.0/schools?limit=2", Status: 200, Bytes: len(body)},
		{Method: "GET", Path: "/v3.0/terms", Status: 401, Bytes: len(`{"message":"missing or invalid bearer token"}`)},
	}
	if diff := cmp.Diff(want, fake.Requests()); diff != "" {
		t.Errorf("request log mismatch (-want +got):\n%s", diff)
	}
	fake.ResetRequests()
	if got := fake.Requests(); len(got) != 0 {
		t.Errorf("after ResetRequests: %v", got)
	}
}

func TestServer_TokenListing(t *testing.T) {
	opts := fakeclever.Options{ClientID: "client-id", ClientSecret: "client-secret"}
	_, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), opts)
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("client-id:client-secret"))

	t.Run("OK", func(t *testing.T) {
		resp, body := getWith(t, ts, "/oauth/tokens?owner_type=district", basic)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var got struct {
			Data []struct {
				ID      string `json:"id"`
				Created string `json:"created"`
				Owner   struct {
					Type string `json:"type"`
					ID   string `json:"id"`
				} `json:"owner"`
				AccessToken string   `json:"access_token"`
				Scopes      []string `json:"scopes"`
			} `json:"data"`
			Links []struct{ Rel, URI string } `json:"links"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Data) != 1 {
			t.Fatalf("%d tokens listed", len(got.Data))
		}
		tok := got.Data[0]
		if tok.AccessToken != testToken || tok.Owner.Type != "district" || tok.Owner.ID != testDistrict ||
			len(tok.ID) != 24 || len(tok.Scopes) == 0 {
			t.Errorf("token entry = %+v", tok)
		}
		if _, err := time.Parse(time.RFC3339, tok.Created); err != nil {
			t.Errorf("created %q: %v", tok.Created, err)
		}
		want := []struct{ Rel, URI string }{{"self", "/oauth/tokens?owner_type=district"}}
		if diff := cmp.Diff(want, got.Links); diff != "" {
			t.Errorf("links mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("DistrictFilter", func(t *testing.T) {
		for district, n := range map[string]int{testDistrict: 1, "000000000000000000000000": 0} {
			_, body := getWith(t, ts, "/oauth/tokens?owner_type=district&district="+district, basic)
			var got struct{ Data []json.RawMessage }
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Data) != n {
				t.Errorf("district=%s: %d tokens, want %d", district, len(got.Data), n)
			}
		}
	})
	t.Run("Unauthorized", func(t *testing.T) {
		wrong := "Basic " + base64.StdEncoding.EncodeToString([]byte("client-id:wrong"))
		for _, auth := range []string{"", wrong, "Bearer " + testToken} {
			resp, body := getWith(t, ts, "/oauth/tokens?owner_type=district", auth)
			if resp.StatusCode != http.StatusUnauthorized || decodeMessage(t, body, "error") == "" {
				t.Errorf("Authorization %q: status %d, body %s", auth, resp.StatusCode, body)
			}
		}
	})
	t.Run("ListingDisabled", func(t *testing.T) {
		_, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), fakeclever.Options{})
		noCreds := "Basic " + base64.StdEncoding.EncodeToString([]byte(":"))
		if resp, _ := getWith(t, ts, "/oauth/tokens?owner_type=district", noCreds); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("status %d without configured client credentials", resp.StatusCode)
		}
	})
	t.Run("OwnerType", func(t *testing.T) {
		if resp, _ := getWith(t, ts, "/oauth/tokens?owner_type=user", basic); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("owner_type=user: status %d", resp.StatusCode)
		}
	})
}

func TestNewServer_RequiresToken(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewServer accepted an empty token")
		}
	}()
	fakeclever.NewServer(fakeclever.FromRoster(&roster.Roster{}), fakeclever.Options{})
}

// Ensure the token listing has the shape of Clever's own mock of it: the
// same keys at every level and the same JSON types.
func TestServer_TokenListingMatchesFixture(t *testing.T) {
	var fixture any
	readJSON(t, filepath.Join(fixturesDir(t), "clever", "oauth", "tokens.json"), &fixture)
	opts := fakeclever.Options{ClientID: "id", ClientSecret: "secret"}
	_, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), opts)
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("id:secret"))
	_, body := getWith(t, ts, "/oauth/tokens?owner_type=district", basic)
	var got any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(shape(fixture), shape(got)); diff != "" {
		t.Errorf("shape mismatch (-fixture +fake):\n%s", diff)
	}
}

// shape replaces every JSON value with its type, keeping object keys and
// the shape of each array's first element.
func shape(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			out[k] = shape(e)
		}
		return out
	case []any:
		if len(v) == 0 {
			return []any{}
		}
		return []any{shape(v[0])}
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	}
	return "null"
}

func TestServer_Version(t *testing.T) {
	_, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(5)), fakeclever.Options{Version: "v3.1"})
	p := getPage(t, ts, "/v3.1/users?limit=2")
	if len(p.Data) != 2 || p.Data[0].URI != "/v3.1/users/"+p.ids()[0] {
		t.Errorf("v3.1 page = %+v", p.Data)
	}
	if next, _ := p.link("next"); next != "/v3.1/users?limit=2&starting_after="+p.ids()[1] {
		t.Errorf("next link = %q", next)
	}
	if resp, _ := get(t, ts, "/v3.0/users"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/v3.0/users on a v3.1 server: status %d", resp.StatusCode)
	}
}

// Ensure concurrent requests, dataset swaps and fault injection are safe
// (run with -race) and every request is logged.
func TestServer_Concurrent(t *testing.T) {
	fake, ts := startServer(t, fakeclever.FromRoster(syntheticRoster(50)), fakeclever.Options{})
	other := fakeclever.FromRoster(syntheticRoster(60))
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for range 25 {
				req, _ := http.NewRequest(http.MethodGet, ts.URL+"/v3.0/users?limit=20", nil)
				req.Header.Set("Authorization", "Bearer "+testToken)
				resp, err := ts.Client().Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("status %d", resp.StatusCode)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 10 {
		fake.SetDataset(other)
		fake.Inject(fakeclever.Fault{Kind: fakeclever.FaultSlow, Delay: time.Microsecond})
		_ = fake.Requests()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := len(fake.Requests()); n != 100 {
		t.Errorf("request log has %d entries, want 100", n)
	}
}
