package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

func TestIssuerAndAudience(t *testing.T) {
	ks := &KeySet{single: &rsaKey.PublicKey}
	v := NewVerifierWith(ks, VerifierConfig{Namespace: "test", Issuer: "https://iam.example", Audience: "challenge"})
	with := func(iss string, aud any) string {
		c := claims("u", "test", time.Hour)
		if iss != "" {
			c["iss"] = iss
		}
		if aud != nil {
			c["aud"] = aud
		}
		return sign(t, jwt.SigningMethodRS256, rsaKey, c, "")
	}
	_, err := v.Verify(with("https://iam.example", []string{"other", "challenge"}))
	require.NoError(t, err)
	for name, tok := range map[string]string{
		"no iss":    with("", "challenge"),
		"wrong iss": with("https://evil.example", "challenge"),
		"no aud":    with("https://iam.example", nil),
		"wrong aud": with("https://iam.example", "other"),
	} {
		_, err := v.Verify(tok)
		require.True(t, IsUnauthorized(err), "%s: %v", name, err)
	}
	// Unset: not checked (the reference's tokens carry neither).
	_, err = NewVerifier(ks, "test", 0).Verify(with("", nil))
	require.NoError(t, err)
}

func TestWeakRSAKeysRefused(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	_, err = LoadPEM(pemFile(t, &small.PublicKey))
	require.ErrorContains(t, err, "1024 bits")

	enc := base64.RawURLEncoding.EncodeToString
	doc := func(n *big.Int, e int) []byte {
		b, _ := json.Marshal(map[string]any{"keys": []map[string]string{
			{"kty": "RSA", "kid": "k", "n": enc(n.Bytes()), "e": enc(big.NewInt(int64(e)).Bytes())}}})
		return b
	}
	_, err = ParseJWKS(doc(small.N, 65537))
	require.ErrorContains(t, err, "1024 bits")
	_, err = ParseJWKS(doc(rsaKey.N, 3))
	require.ErrorContains(t, err, "exponent 3")
	_, err = ParseJWKS(doc(rsaKey.N, 65537))
	require.NoError(t, err)
}

// jwksServer serves whatever keys it currently holds and counts fetches.
type jwksServer struct {
	mu      sync.Mutex
	keys    map[string]*rsa.PublicKey
	fetches atomic.Int32
}

func (s *jwksServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.fetches.Add(1)
	enc := base64.RawURLEncoding.EncodeToString
	s.mu.Lock()
	var keys []map[string]string
	for kid, k := range s.keys {
		keys = append(keys, map[string]string{"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
			"n": enc(k.N.Bytes()), "e": enc(big.NewInt(int64(k.E)).Bytes())})
	}
	s.mu.Unlock()
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": keys})
}

// Keys rotate without a restart: a token naming a kid we do not know triggers a refresh (at most one
// per MinRefresh, so forged kids cannot make us hammer the identity service).
func TestRemoteJWKSRotation(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	js := &jwksServer{keys: map[string]*rsa.PublicKey{"k1": &rsaKey.PublicKey, "weak": &small.PublicKey}}
	srv := httptest.NewServer(js)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	keys, err := NewRemoteJWKS(ctx, RemoteJWKSConfig{URL: srv.URL, Refresh: time.Hour, MinRefresh: time.Hour})
	require.NoError(t, err)
	require.EqualValues(t, 1, js.fetches.Load())
	v := NewVerifier(keys, "test", 0)

	_, err = v.Verify(sign(t, jwt.SigningMethodRS256, rsaKey, claims("u", "test", time.Hour), "k1"))
	require.NoError(t, err)
	_, err = v.Verify(sign(t, jwt.SigningMethodRS256, small, claims("u", "test", time.Hour), "weak"))
	require.ErrorContains(t, err, "1024 bits", "weak keys are refused from a URL too")
	require.EqualValues(t, 1, js.fetches.Load(), "known kids need no fetch")

	// The platform rotates to k2.
	js.mu.Lock()
	js.keys = map[string]*rsa.PublicKey{"k2": &rsaOther.PublicKey}
	js.mu.Unlock()
	_, err = v.Verify(sign(t, jwt.SigningMethodRS256, rsaOther, claims("u", "test", time.Hour), "k2"))
	require.NoError(t, err, "unknown kid: refreshed, then verified")
	require.EqualValues(t, 2, js.fetches.Load())

	// Another unknown kid within MinRefresh: refused at once, no fetch.
	_, err = v.Verify(sign(t, jwt.SigningMethodRS256, rsaOther, claims("u", "test", time.Hour), "forged"))
	require.True(t, IsUnauthorized(err))
	require.EqualValues(t, 2, js.fetches.Load())
	_, err = v.Verify(sign(t, jwt.SigningMethodRS256, rsaKey, claims("u", "test", time.Hour), "k1"))
	require.True(t, IsUnauthorized(err), "k1 was rotated out")
}
