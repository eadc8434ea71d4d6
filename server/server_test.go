package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rosterd/rosterd/server"
)

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// start starts srv and closes it when the test ends.
func start(t *testing.T, srv *server.Server) {
	t.Helper()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
}

// Ensure New refuses to serve beyond loopback without tokens, saying
// why, and accepts loopback addresses.
func TestNew_RefusesPublicWithoutTokens(t *testing.T) {
	b := newFakeBackend(t, 1)
	for _, addr := range []string{"0.0.0.0:8080", ":8080", "[::]:0", "192.0.2.1:8080", "rosterd.example.org:443"} {
		_, err := server.New(server.Options{Addr: addr, Backend: b})
		if err == nil || !strings.Contains(err.Error(), "without API tokens") {
			t.Errorf("New(%s) without tokens: %v", addr, err)
		}
		if _, err := server.New(server.Options{Addr: addr, Backend: b, Tokens: testTokens}); err != nil {
			t.Errorf("New(%s) with tokens: %v", addr, err)
		}
	}
	for _, addr := range []string{"", "127.0.0.1:0", "[::1]:0", "localhost:0"} {
		if _, err := server.New(server.Options{Addr: addr, Backend: b}); err != nil {
			t.Errorf("New(%q) without tokens: %v", addr, err)
		}
	}
	if _, err := server.New(server.Options{Tokens: testTokens}); err == nil {
		t.Error("New accepted no backend")
	}
	if _, err := server.New(server.Options{Backend: b, CertFile: "cert.pem"}); err == nil {
		t.Error("New accepted a certificate without a key")
	}
}

// Ensure Start listens before it returns, so that an address in use is
// its error, and Close stops the server.
func TestServer_Start(t *testing.T) {
	b := newFakeBackend(t, 1)
	srv, err := server.New(server.Options{Addr: "127.0.0.1:0", Backend: b, Tokens: testTokens})
	if err != nil {
		t.Fatal(err)
	}
	start(t, srv)
	resp, err := http.Get("http://" + srv.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != http.StatusOK || body != "ok\n" {
		t.Errorf("healthz: %d %q", resp.StatusCode, body)
	}
	if err := srv.Start(); err == nil {
		t.Error("a second Start succeeded")
	}

	again, err := server.New(server.Options{Addr: srv.Addr(), Backend: b, Tokens: testTokens})
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Start(); err == nil {
		again.Close(context.Background())
		t.Fatal("Start on an address in use succeeded")
	}

	if err := srv.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://" + srv.Addr() + "/healthz"); err == nil {
		t.Error("the server still answers after Close")
	}
}

// Ensure the server speaks HTTPS with the configured key pair.
func TestServer_TLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	srv, err := server.New(server.Options{Addr: "127.0.0.1:0", Backend: newFakeBackend(t, 1), Tokens: testTokens,
		CertFile: certFile, KeyFile: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	start(t, srv)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	req, _ := http.NewRequest("GET", "https://"+srv.Addr()+"/api/v1/whoami", nil)
	req.Header.Set("Authorization", "Bearer "+operatorSecret)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"name":"otto"`) || resp.TLS == nil {
		t.Errorf("whoami over TLS: %d %s", resp.StatusCode, body)
	}
	if resp, err := http.Get("http://" + srv.Addr() + "/healthz"); err == nil {
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP is answered on the TLS port")
		}
		resp.Body.Close()
	}
	if _, err := server.New(server.Options{Backend: newFakeBackend(t, 1), CertFile: keyFile, KeyFile: certFile}); err == nil {
		t.Error("New accepted a swapped certificate and key")
	}
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key,
// returning their files and a pool trusting it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "rosterd test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// Ensure a server without tokens (which New allows on loopback only) lets
// nobody in but /healthz, refuses other Host names (DNS rebinding), and
// decides nothing.
func TestServer_NoTokens(t *testing.T) {
	b := newFakeBackend(t, 1)
	srv, err := server.New(server.Options{Addr: "127.0.0.1:0", Backend: b})
	if err != nil {
		t.Fatal(err)
	}
	start(t, srv)
	base := "http://" + srv.Addr()
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/healthz", http.StatusOK},
		{"GET", "/api/v1/whoami", http.StatusUnauthorized},
		{"GET", "/api/v1/connections", http.StatusUnauthorized},
		{"GET", "/readyz", http.StatusUnauthorized},
		{"POST", "/api/v1/runs/2/approve", http.StatusUnauthorized},
	} {
		req, _ := http.NewRequest(c.method, base+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, resp); resp.StatusCode != c.want {
			t.Errorf("%s %s: %d %s, want %d", c.method, c.path, resp.StatusCode, body, c.want)
		}
	}

	req, _ := http.NewRequest("GET", base+"/healthz", nil)
	req.Host = "attacker.example:" + strings.Split(srv.Addr(), ":")[1]
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("a request for another host: %d %s", resp.StatusCode, body)
	}
	if len(b.decided) != 0 {
		t.Errorf("a request without a token decided %q", b.decided)
	}
}

// Ensure errors have the right status and a JSON body, and the
// dashboard and the HTML report their Content-Security-Policy.
func TestServer_Errors(t *testing.T) {
	ts := newTestServer(t, newFakeBackend(t, 1))
	for _, c := range []struct {
		method, path, secret string
		want                 int
	}{
		{"GET", "/api/v1/runs/99", viewerSecret, http.StatusNotFound},
		{"GET", "/api/v1/runs/x", viewerSecret, http.StatusBadRequest},
		{"GET", "/api/v1/runs/0", viewerSecret, http.StatusBadRequest},
		{"GET", "/api/v1/runs?limit=0", viewerSecret, http.StatusBadRequest},
		{"GET", "/api/v1/runs?limit=1001", viewerSecret, http.StatusBadRequest},
		{"GET", "/api/v1/runs?verdict=great", viewerSecret, http.StatusBadRequest},
		{"POST", "/api/v1/runs/1/approve", operatorSecret, http.StatusConflict}, // committed, not held
		{"POST", "/api/v1/runs/99/reject", operatorSecret, http.StatusNotFound},
		{"POST", "/api/v1/connections/nowhere/sync", operatorSecret, http.StatusNotFound},
		{"DELETE", "/api/v1/runs/1", adminSecret, http.StatusMethodNotAllowed},
		{"GET", "/api/v1/runs/1/approve", adminSecret, http.StatusMethodNotAllowed},
		{"POST", "/", "", http.StatusMethodNotAllowed},
		{"GET", "/api/v2/anything", "", http.StatusNotFound},
		{"GET", "/ui/", "", http.StatusNotFound},
		{"GET", "/api/v1/connections/nowhere/sections", adminSecret, http.StatusNotFound},
		{"GET", "/api/v1/connections/district/students/c0000", adminSecret, http.StatusNotFound}, // a section's ID
		{"GET", "/api/v1/connections/district/students/s0002", adminSecret, http.StatusNotFound}, // a teacher
	} {
		status, _, body := ts.do(t, c.method, c.path, c.secret)
		var eb struct{ Error string }
		if status != c.want || json.Unmarshal([]byte(body), &eb) != nil || eb.Error == "" {
			t.Errorf("%s %s: %d %s, want %d and a JSON error", c.method, c.path, status, body, c.want)
		}
	}

	ts.backend.mu.Lock()
	ts.backend.running["district"] = true
	ts.backend.ready = errors.New("the scheduler is not running")
	ts.backend.mu.Unlock()
	if status, _, body := ts.do(t, "POST", "/api/v1/connections/district/sync", operatorSecret); status != http.StatusConflict || !strings.Contains(body, "already running") {
		t.Errorf("a second sync: %d %s", status, body)
	}
	if status, _, body := ts.do(t, "GET", "/readyz", viewerSecret); status != http.StatusServiceUnavailable || !strings.Contains(body, "scheduler") {
		t.Errorf("readyz: %d %s", status, body)
	}

	_, h, _ := ts.do(t, "GET", "/", "")
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("dashboard CSP %q", csp)
	}
	status, h, body := ts.do(t, "GET", "/api/v1/runs/2/report.html", viewerSecret)
	if status != http.StatusOK || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") || !strings.Contains(body, "HELD") {
		t.Errorf("report.html: %d, CSP %q", status, h.Get("Content-Security-Policy"))
	}
	status, h, body = ts.do(t, "GET", "/api/v1/runs/1/report.csv", viewerSecret)
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(body, "student.no_section") {
		t.Errorf("report.csv: %d %s\n%s", status, h.Get("Content-Type"), body)
	}
	status, _, body = ts.do(t, "GET", "/metrics", viewerSecret)
	if status != http.StatusOK || !strings.Contains(body, "rosterd_test_up 1") {
		t.Errorf("metrics: %d %s", status, body)
	}
	if got := h.Get("Cache-Control"); got != "no-store" {
		t.Errorf("report Cache-Control %q", got)
	}
}
