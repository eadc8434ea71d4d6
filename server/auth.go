package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// Role is what a token may do. Each role may do everything the one
// before it may.
type Role string

// The roles.
const (
	// RoleViewer reads the connections, the run history, the reports, the
	// readiness and the metrics.
	RoleViewer Role = "viewer"
	// RoleOperator also triggers syncs and approves or rejects held runs.
	RoleOperator Role = "operator"
	// RoleAdmin also reads the committed rosters (the roster read API):
	// students' records, so personal data.
	RoleAdmin Role = "admin"
)

// Roles lists every Role, from the least allowed to the most.
var Roles = []Role{RoleViewer, RoleOperator, RoleAdmin}

// ParseRole returns the Role named s.
func ParseRole(s string) (Role, bool) {
	for _, r := range Roles {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// rank orders the roles; 0 for an unknown one.
func (r Role) rank() int {
	for i, x := range Roles {
		if x == r {
			return i + 1
		}
	}
	return 0
}

// allows reports whether r may do what need requires.
func (r Role) allows(need Role) bool { return r.rank() >= need.rank() && need.rank() > 0 }

// Token is an API token: a client sends Secret as "Authorization: Bearer
// <Secret>" and acts as Name (recorded as the approver of a run, and in
// the audit log) with Role.
type Token struct {
	Name   string
	Secret string `json:"-"`
	Role   Role
}

// String names the token without its secret, so that printing one with
// fmt never shows it.
func (t Token) String() string { return t.Name + " (" + string(t.Role) + ")" }

// GoString is String, for %#v.
func (t Token) GoString() string { return "server.Token{" + t.String() + "}" }

// MinSecretLength is the shortest secret New accepts: 16 random
// characters are out of reach of guessing over HTTP.
const MinSecretLength = 16

// token is a configured token as the server keeps it: the secret only as
// its SHA-256 digest, so that comparing takes the same time whatever the
// length of what a client sent.
type token struct {
	name   string
	role   Role
	digest [sha256.Size]byte
}

func checkTokens(ts []Token) ([]token, error) {
	out := make([]token, 0, len(ts))
	names := map[string]bool{}
	secrets := map[[sha256.Size]byte]bool{}
	for i, t := range ts {
		switch {
		case strings.TrimSpace(t.Name) == "":
			return nil, fmt.Errorf("token %d has no name", i+1)
		case names[t.Name]:
			return nil, fmt.Errorf("token %q is configured twice", t.Name)
		case t.Role.rank() == 0:
			return nil, fmt.Errorf("token %q: role %q is not viewer, operator or admin", t.Name, t.Role)
		case len(t.Secret) < MinSecretLength:
			return nil, fmt.Errorf("token %q: the secret is shorter than %d characters", t.Name, MinSecretLength)
		case strings.ContainsAny(t.Secret, " \t\r\n"):
			return nil, fmt.Errorf("token %q: the secret contains white space", t.Name)
		}
		d := sha256.Sum256([]byte(t.Secret))
		if secrets[d] {
			return nil, fmt.Errorf("token %q has the same secret as another token", t.Name)
		}
		names[t.Name], secrets[d] = true, true
		out = append(out, token{name: t.Name, role: t.Role, digest: d})
	}
	return out, nil
}

// identity is who makes a request.
type identity struct {
	name string
	role Role
}

// authenticate returns who sent r, or the status and challenge to answer
// with: 401 for no or a malformed Authorization header and for a secret
// no token has.
// A server without tokens has nobody to let in: every endpoint but
// /healthz needs a token, since the API serves student records to
// anyone on the machine otherwise.
func (s *Server) authenticate(r *http.Request) (who identity, status int, challenge string) {
	scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	cred = strings.TrimSpace(cred)
	if !ok || !strings.EqualFold(scheme, "Bearer") || cred == "" {
		return identity{}, http.StatusUnauthorized, `Bearer realm="rosterd"`
	}
	// Compare with every token, without stopping at a match, so that the
	// time taken says nothing about which token (if any) matched.
	d := sha256.Sum256([]byte(cred))
	match := -1
	for i := range s.tokens {
		eq := subtle.ConstantTimeCompare(d[:], s.tokens[i].digest[:])
		match = subtle.ConstantTimeSelect(eq, i, match)
	}
	if match < 0 {
		return identity{}, http.StatusUnauthorized, `Bearer realm="rosterd", error="invalid_token"`
	}
	t := &s.tokens[match]
	return identity{name: t.name, role: t.role}, 0, ""
}

// isLoopback reports whether host (a host name or IP, without port) is
// this machine only.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// loopbackHost reports whether the Host a request names is a loopback
// one. A server without tokens answers only those: a web page the
// operator visits could otherwise point a name of its own at 127.0.0.1
// (DNS rebinding) and read the API as if it were the dashboard.
func loopbackHost(r *http.Request) bool {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return isLoopback(host)
}

// requestInfo is what the route wrapper and the handler share about one
// request; the handler fills in the outcome the audit line records.
type requestInfo struct {
	who     identity
	outcome string
}

type infoKey struct{}

func withInfo(ctx context.Context, info *requestInfo) context.Context {
	return context.WithValue(ctx, infoKey{}, info)
}

func info(r *http.Request) *requestInfo {
	if i, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
		return i
	}
	return &requestInfo{}
}

// setOutcome records what a state-changing request did, for its audit
// line ("started", "approved", ...).
func setOutcome(r *http.Request, outcome string) { info(r).outcome = outcome }
