package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/MicahParks/jwkset"
	"golang.org/x/time/rate"
)

// RemoteJWKSConfig configures keys fetched from the platform's JWKS endpoint (JWKS_URL).
type RemoteJWKSConfig struct {
	URL        string
	Refresh    time.Duration // periodic refresh (JWKS_REFRESH_INTERVAL)
	MinRefresh time.Duration // at most one extra fetch per this, for tokens with an unknown kid (JWKS_MIN_REFRESH_INTERVAL)
	Timeout    time.Duration // per fetch (default 5 s)
	MaxBytes   int64         // largest JWKS document read (default 1 MiB): bounds the key cache
	Log        *slog.Logger
}

// RemoteJWKS serves keys from a JWKS URL: fetched at start, refreshed periodically and when a token
// names an unknown kid (rate-limited, so a flood of forged kids cannot turn into a flood of fetches),
// so the platform can rotate keys without a restart. Fetching, caching and the unknown-kid refresh
// are jwkset's; this type adds the key policy (RS256/ES256 keys only, no weak RSA).
type RemoteJWKS struct {
	store   jwkset.Storage
	timeout time.Duration
}

// NewRemoteJWKS starts the refresh until ctx ends. A failed first fetch does not stop start-up
// (the identity service may be starting too): it is logged and retried on the first token.
func NewRemoteJWKS(ctx context.Context, c RemoteJWKSConfig) (*RemoteJWKS, error) {
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Second
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = 1 << 20
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	hc := &http.Client{Timeout: c.Timeout, Transport: limitedBody{next: http.DefaultTransport, max: c.MaxBytes}}
	st, err := jwkset.NewStorageFromHTTP(c.URL, jwkset.HTTPClientStorageOptions{
		Client: hc, Ctx: ctx, HTTPTimeout: c.Timeout, RefreshInterval: c.Refresh,
		NoErrorReturnFirstHTTPReq: true,
		RefreshErrorHandler: func(_ context.Context, err error) {
			c.Log.Warn("JWKS fetch failed; keeping the keys we have", "url", c.URL, "err", err)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("JWKS_URL: %w", err)
	}
	cl, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{c.URL: st},
		RefreshUnknownKID: rate.NewLimiter(rate.Every(c.MinRefresh), 1),
	})
	if err != nil {
		return nil, fmt.Errorf("JWKS_URL: %w", err)
	}
	return &RemoteJWKS{store: cl, timeout: c.Timeout}, nil
}

// Key returns the key named kid. A token without kid is accepted only while the set has exactly
// one key. When the unknown-kid refresh is rate-limited the limiter's wait exceeds the deadline and
// the token is refused at once instead of waiting.
func (r *RemoteJWKS) Key(kid string) (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	if kid == "" {
		all, err := r.store.KeyReadAll(ctx)
		if err != nil {
			return nil, err
		}
		if len(all) != 1 {
			return nil, errors.New("token has no kid and the key set has several keys")
		}
		return usableKey(all[0].Key())
	}
	jwk, err := r.store.KeyRead(ctx, kid)
	if err != nil {
		return nil, fmt.Errorf("unknown key id %q: %w", kid, err)
	}
	return usableKey(jwk.Key())
}

func usableKey(k any) (any, error) {
	switch k := k.(type) {
	case *rsa.PublicKey:
		if err := checkRSA(k); err != nil {
			return nil, err
		}
		return k, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, errors.New("EC keys must use P-256 (ES256)")
		}
		return k, nil
	default:
		return nil, fmt.Errorf("key type %T not accepted (RSA or P-256 EC public keys only)", k)
	}
}

// limitedBody caps what a JWKS response may make us read.
type limitedBody struct {
	next http.RoundTripper
	max  int64
}

func (l limitedBody) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	if err == nil {
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.LimitReader(resp.Body, l.max), resp.Body}
	}
	return resp, err
}
