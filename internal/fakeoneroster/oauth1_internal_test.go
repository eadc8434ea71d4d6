package fakeoneroster

import (
	"net/http/httptest"
	"testing"
)

// Ensure the server's signature code reproduces the published vectors.
// The server itself only verifies two-legged requests (no token), but the
// base string and the key are the same code with the token left empty.
func TestSignature_Vectors(t *testing.T) {
	photos := []oauthParam{
		{"file", "vacation.jpg"}, {"size", "original"},
		{"oauth_consumer_key", "dpf43f3p2l4k3l03"}, {"oauth_token", "nnch734d00sl2jdk"},
		{"oauth_signature_method", "HMAC-SHA1"},
	}
	tests := []struct {
		name   string
		params []oauthParam
		want   string
	}{
		// OAuth Core 1.0 Appendix A.5, the example RFC 5849 §1.2 retells.
		{"OAuthCore1.0-A.5", append(photos[:5:5],
			oauthParam{"oauth_timestamp", "1191242096"}, oauthParam{"oauth_nonce", "kllo9940pd9333jh"},
			oauthParam{"oauth_version", "1.0"}), "tR3+Ty81lMeYAr/Fid0kMTYa/WM="},
		// RFC 5849 §1.2 itself.
		{"RFC5849-1.2", append(photos[:5:5],
			oauthParam{"oauth_timestamp", "137131202"}, oauthParam{"oauth_nonce", "chapoH"}), "MdpQcU8iPSUjWoN/UDMsK2sui9I="},
	}
	for _, tt := range tests {
		base := signatureBase("GET", "http://photos.example.net/photos", tt.params)
		if got := sign(HMACSHA1, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00", base); got != tt.want {
			t.Errorf("%s: signature %s, want %s (base string %s)", tt.name, got, tt.want, base)
		}
	}
}

// Ensure the base string is rebuilt from a request as RFC 5849 §3.4.1.1
// shows it: repeated and empty parameters kept, "+" in the query read as
// a space, realm and oauth_signature left out, %20 for spaces. The body
// parameters of the RFC's POST are sent in the query here.
func TestSignatureBase_FromRequest(t *testing.T) {
	r := httptest.NewRequest("POST", "/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b&c2&a3=2+q", nil)
	r.Host = "example.com"
	header := `realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", ` +
		`oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", ` +
		`oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"`
	params, ok := parseAuthorizationParams(header)
	if !ok {
		t.Fatal("header not parsed")
	}
	query, ok := parseQueryParams(r.URL.RawQuery)
	if !ok {
		t.Fatal("query not parsed")
	}
	var signed []oauthParam
	for _, p := range append(params, query...) {
		if p.key != "oauth_signature" {
			signed = append(signed, p)
		}
	}
	const want = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26" +
		"c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26" +
		"oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
	if got := signatureBase(r.Method, requestBaseURI(r), signed); got != want {
		t.Errorf("base string\n got %s\nwant %s", got, want)
	}
}

func TestRequestBaseURI(t *testing.T) {
	for _, tt := range []struct{ host, target, want string }{
		{"EXAMPLE.com:80", "/r%20x?y=1", "http://example.com/r%20x"},
		{"example.com:8080", "/ims/oneroster/v1p1/users", "http://example.com:8080/ims/oneroster/v1p1/users"},
	} {
		r := httptest.NewRequest("GET", tt.target, nil)
		r.Host = tt.host
		if got := requestBaseURI(r); got != tt.want {
			t.Errorf("requestBaseURI(%s%s) = %s, want %s", tt.host, tt.target, got, tt.want)
		}
	}
}

func TestPercentEncode(t *testing.T) {
	for in, want := range map[string]string{
		"abcABC123-._~": "abcABC123-._~", "a b": "a%20b", "=%3D": "%3D%253D", "'": "%27", ">": "%3E",
		"ü": "%C3%BC", "+": "%2B", "*": "%2A",
	} {
		if got := percentEncode(in); got != want {
			t.Errorf("percentEncode(%q) = %q, want %q", in, got, want)
		}
	}
}
