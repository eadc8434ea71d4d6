package clever

import (
	"context"
	"net/url"

	"golang.org/x/oauth2"

	"github.com/rosterd/rosterd/internal/transport"
)

// token is one entry of the token listing: the token a district created
// when it authorised the app.
type token struct {
	ID      string `json:"id"`
	Created string `json:"created"`
	Owner   struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"owner"`
	AccessToken string   `json:"access_token"`
	Scopes      []string `json:"scopes"`
}

// districtTokenSource finds a district's bearer token in the app's token
// listing (GET {AuthURL}/oauth/tokens?owner_type=district, HTTP Basic with
// the client ID and secret). NewClient wraps it in oauth2.ReuseTokenSource,
// so the listing is read once per client, and again after a failure.
type districtTokenSource struct {
	c          *Client
	ep         endpoint
	listing    *url.URL
	districtID string
}

func newDistrictTokenSource(c *Client, auth *url.URL, opts transport.Options, clientID, clientSecret string) *districtTokenSource {
	// The listing is read through its own retrying stack: no bearer token,
	// and not counted against the API token's rate limit.
	opts.TokenSource = nil
	opts.RequestsPerMinute = 0
	listing := *auth
	listing.Path = auth.Path + "/oauth/tokens"
	listing.RawPath = ""
	listing.RawQuery = url.Values{"owner_type": {"district"}}.Encode()
	return &districtTokenSource{
		c:          c,
		ep:         endpoint{hc: transport.New(opts), origin: auth, basicUser: clientID, basicPass: clientSecret},
		listing:    &listing,
		districtID: c.districtID,
	}
}

// Token implements oauth2.TokenSource. oauth2 gives it no context, so the
// listing is read under the transport's per-attempt timeout and retries
// only.
func (s *districtTokenSource) Token() (*oauth2.Token, error) {
	var found string
	err := listPages(context.Background(), s.c, s.ep, s.listing, true, nil, func(tokens []token) error {
		for _, t := range tokens {
			if t.Owner.Type == "district" && t.Owner.ID == s.districtID && t.AccessToken != "" {
				found = t.AccessToken
				return errStopPaging
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if found == "" {
		return nil, s.c.errorf("district %s: %w", s.districtID, ErrDistrictNotAuthorized)
	}
	s.c.secrets.add(found)
	s.c.log.Debug().Str("district", s.districtID).Msg("found the district's token in the token listing")
	return &oauth2.Token{AccessToken: found, TokenType: "Bearer"}, nil
}

// Me is what GET /me says about the token: its type ("district" for a
// district-app token) and district.
type Me struct {
	ID       string `json:"id"`
	District string `json:"district"`
	Type     string `json:"type"`
}

// Me returns the identity of the client's token.
func (c *Client) Me(ctx context.Context) (Me, error) {
	u := *c.base
	u.Path = c.base.Path + "/me"
	u.RawPath = ""
	req, err := c.newRequest(ctx, &u)
	if err != nil {
		return Me{}, err
	}
	var body struct {
		Data Me `json:"data"`
	}
	if err := c.do(c.http, req, nil, &body); err != nil {
		return Me{}, err
	}
	return body.Data, nil
}

var _ oauth2.TokenSource = (*districtTokenSource)(nil)
