package fakeoneroster_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/rosterd/rosterd/internal/fakeoneroster"
)

// defineURIFormat makes kin-openapi check format "uri" (which it leaves
// unchecked by default): hrefs must be absolute URLs.
var defineURIFormat = sync.OnceFunc(func() {
	openapi3.DefineStringFormatCallback("uri", func(s string) error {
		u, err := url.Parse(s)
		if err != nil {
			return err
		}
		if !u.IsAbs() || u.Host == "" {
			return fmt.Errorf("%q is not an absolute URI", s)
		}
		return nil
	})
})

// openAPIRouter loads the official OneRoster 1.2 rostering OpenAPI
// document with its server pointed at ts.
func openAPIRouter(t *testing.T, ts *httptest.Server) routers.Router {
	t.Helper()
	path := filepath.Join(fixturesDir(t), "oneroster", "openapi", "onerosterv1p2rostersservice_openapi3_v1p0.json")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("OpenAPI fixture not available: %v", err)
	}
	defineURIFormat()
	doc, err := openapi3.NewLoader().LoadFromFile(path)
	if err != nil {
		t.Fatalf("load OpenAPI document: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: ts.URL + v12}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("route OpenAPI document: %v", err)
	}
	return router
}

// validate requests path from the 1.2 tree and checks the response
// (status, headers, body) against the operation the document declares
// for it.
func validate(t *testing.T, router routers.Router, ts *httptest.Server, path, authorization string, wantStatus int) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.URL+v12+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, body := do(t, ts, req)
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d: %.300s", path, resp.StatusCode, wantStatus, body)
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("GET %s: no operation in the OpenAPI document: %v", path, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		msg := err.Error()
		if len(msg) > 4000 {
			msg = msg[:4000] + "…"
		}
		t.Errorf("GET %s (%s): response does not match the OpenAPI document:\n%s", path, route.Operation.OperationID, msg)
	}
}

// Ensure every 1.2 response the fake sends, for every record of a roster
// setting every model field and of a synthetic district, matches the
// official OneRoster 1.2 OpenAPI document: collections, single objects,
// nested collections and error bodies.
func TestOpenAPI_V1p2Responses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		data   *fakeoneroster.Dataset
		sample int // objects of each collection to fetch one by one
	}{
		{"FullRoster", fakeoneroster.FromRoster(fullRoster()), 1000},
		{"SynthTiny", fakeoneroster.FromRoster(synthRoster(t, "tiny")), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ts := startServer(t, tc.data, fakeoneroster.Options{})
			router := openAPIRouter(t, ts)
			bearer := "Bearer " + testToken
			for _, coll := range []struct{ path, key string }{
				{"/orgs", "orgs"}, {"/schools", "orgs"}, {"/academicSessions", "academicSessions"},
				{"/terms", "academicSessions"}, {"/courses", "courses"}, {"/classes", "classes"},
				{"/users", "users"}, {"/students", "users"}, {"/teachers", "users"},
				{"/enrollments", "enrollments"}, {"/demographics", "demographics"},
			} {
				validate(t, router, ts, coll.path+"?limit=100000", bearer, http.StatusOK)
				validate(t, router, ts, coll.path+"?limit=2&offset=1&filter="+url.QueryEscape("status='active'"), bearer, http.StatusOK)
				all := listIDs(t, ts, v12+coll.path, coll.key)
				for i, id := range all {
					if i >= tc.sample {
						break
					}
					validate(t, router, ts, coll.path+"/"+url.PathEscape(id), bearer, http.StatusOK)
				}
				if len(all) == 0 {
					t.Errorf("%s is empty: nothing validated", coll.path)
				}
			}
			schools := listIDs(t, ts, v12+"/schools", "orgs")
			classes := listIDs(t, ts, v12+"/classes", "classes")
			students := listIDs(t, ts, v12+"/students", "users")
			teachers := listIDs(t, ts, v12+"/teachers", "users")
			validate(t, router, ts, "/schools/"+schools[0]+"/classes", bearer, http.StatusOK)
			validate(t, router, ts, "/classes/"+classes[0]+"/students", bearer, http.StatusOK)
			validate(t, router, ts, "/classes/"+classes[0]+"/teachers", bearer, http.StatusOK)
			validate(t, router, ts, "/students/"+students[0]+"/classes", bearer, http.StatusOK)
			validate(t, router, ts, "/teachers/"+teachers[0]+"/classes", bearer, http.StatusOK)
			validate(t, router, ts, "/users/"+teachers[0]+"/classes", bearer, http.StatusOK)

			// Error bodies.
			validate(t, router, ts, "/users?filter="+url.QueryEscape("shoeSize='9'"), bearer, http.StatusBadRequest)
			validate(t, router, ts, "/users", "", http.StatusUnauthorized)
			validate(t, router, ts, "/users/no-such-user", bearer, http.StatusNotFound)
			validate(t, router, ts, "/classes/no-such-class", bearer, http.StatusNotFound)
		})
	}
}

// Ensure the 429 and 5xx bodies of injected faults match the document too.
func TestOpenAPI_V1p2FaultBodies(t *testing.T) {
	fake, ts := startServer(t, fakeoneroster.FromRoster(fullRoster()), fakeoneroster.Options{})
	router := openAPIRouter(t, ts)
	fake.Inject(fakeoneroster.Fault{Kind: fakeoneroster.FaultRateLimit})
	validate(t, router, ts, "/users", "Bearer "+testToken, http.StatusTooManyRequests)
	fake.Inject(fakeoneroster.Fault{Kind: fakeoneroster.FaultStatus, Status: http.StatusInternalServerError})
	validate(t, router, ts, "/classes", "Bearer "+testToken, http.StatusInternalServerError)
}
