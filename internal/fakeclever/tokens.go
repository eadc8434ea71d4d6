package fakeclever

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"

	"github.com/go-json-experiment/json"

	"github.com/rosterd/rosterd/internal/fakewire"
)

// tokenScopes are the scopes of a district-app token with Secure Sync, as
// Clever's own mock of the listing shows them.
var tokenScopes = []string{
	"read:district_admins", "read:districts", "read:resources", "read:school_admins", "read:schools",
	"read:sections", "read:student_contacts", "read:students", "read:teachers", "read:user_id",
}

type tokenList struct {
	Data  []tokenEntry `json:"data"`
	Links []link       `json:"links"`
}

type tokenEntry struct {
	ID          string     `json:"id"`
	Created     string     `json:"created"`
	Owner       tokenOwner `json:"owner"`
	AccessToken string     `json:"access_token"`
	Scopes      []string   `json:"scopes"`
}

type tokenOwner struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type link struct {
	Rel string `json:"rel"`
	URI string `json:"uri"`
}

// tokens answers GET /oauth/tokens?owner_type=district[&district=<id>], the
// listing an app uses to discover its district tokens, authenticated with
// HTTP Basic client credentials.
func (s *Server) tokens(r *http.Request) *reply {
	id, secret, ok := r.BasicAuth()
	if !ok || s.opts.ClientID == "" ||
		subtle.ConstantTimeCompare([]byte(id), []byte(s.opts.ClientID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.ClientSecret)) != 1 {
		return jsonMessage(http.StatusUnauthorized, "error", "invalid_client")
	}
	q := r.URL.Query()
	if q.Get("owner_type") != "district" {
		return jsonMessage(http.StatusBadRequest, "error", "owner_type must be district")
	}
	district := s.opts.DistrictID
	if district == "" {
		district = s.data.Load().districtID()
	}
	list := tokenList{Data: []tokenEntry{}, Links: []link{{Rel: "self", URI: r.URL.RequestURI()}}}
	if want := q.Get("district"); want == "" || want == district {
		list.Data = append(list.Data, tokenEntry{
			ID:          tokenID(district),
			Created:     s.created.UTC().Format(fakewire.TimestampLayout),
			Owner:       tokenOwner{Type: "district", ID: district},
			AccessToken: s.opts.Token,
			Scopes:      tokenScopes,
		})
	}
	body, err := json.Marshal(list)
	if err != nil {
		return jsonMessage(http.StatusInternalServerError, "error", "encode token listing")
	}
	return fakewire.JSON(http.StatusOK, body)
}

// tokenID is a stable ObjectID-shaped ID for the token of district; it is
// derived from the district, never from the token.
func tokenID(district string) string {
	sum := sha256.Sum256([]byte("token:" + district))
	return hex.EncodeToString(sum[:12])
}
