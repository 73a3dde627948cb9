package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

// Keys are generated once per test binary: RSA generation is slow.
var (
	rsaKey, _   = rsa.GenerateKey(rand.Reader, 2048)
	rsaOther, _ = rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _    = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
)

func claims(sub, ns string, exp time.Duration) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{"sub": sub, "namespace": ns, "iat": now.Unix(), "exp": now.Add(exp).Unix()}
}

func sign(t testing.TB, m jwt.SigningMethod, key any, c jwt.MapClaims, kid string) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

func pemFile(t testing.TB, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "key.pem")
	require.NoError(t, os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600))
	return p
}

func jwksJSON(t testing.TB) []byte {
	enc := base64.RawURLEncoding.EncodeToString
	doc := map[string]any{"keys": []map[string]string{
		{"kty": "RSA", "kid": "rsa1", "use": "sig", "alg": "RS256", "n": enc(rsaKey.N.Bytes()), "e": enc(big.NewInt(int64(rsaKey.E)).Bytes())},
		{"kty": "EC", "kid": "ec1", "crv": "P-256", "x": enc(ecKey.X.FillBytes(make([]byte, 32))), "y": enc(ecKey.Y.FillBytes(make([]byte, 32)))},
		{"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}, // skipped: symmetric keys are never accepted
	}}
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	return b
}

func TestVerifyPEM(t *testing.T) {
	rsaKS, err := LoadPEM(pemFile(t, &rsaKey.PublicKey))
	require.NoError(t, err)
	ecKS, err := LoadPEM(pemFile(t, &ecKey.PublicKey))
	require.NoError(t, err)
	rv := NewVerifier(rsaKS, "test", 5*time.Second)
	ev := NewVerifier(ecKS, "test", 5*time.Second)

	id, err := rv.Verify(sign(t, jwt.SigningMethodRS256, rsaKey, claims("user-1", "test", time.Hour), ""))
	require.NoError(t, err)
	require.Equal(t, "user-1", id.UserID)
	id, err = ev.Verify(sign(t, jwt.SigningMethodES256, ecKey, claims("user-2", "test", time.Hour), ""))
	require.NoError(t, err)
	require.Equal(t, "user-2", id.UserID)

	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	nbf := claims("u", "test", time.Hour)
	nbf["nbf"] = time.Now().Add(10 * time.Minute).Unix()
	noSub := claims("", "test", time.Hour)
	noExp := claims("u", "test", time.Hour)
	delete(noExp, "exp")

	bad := map[string]string{
		"expired":                             sign(t, jwt.SigningMethodRS256, rsaKey, claims("u", "test", -time.Minute), ""),
		"nbf in future":                       sign(t, jwt.SigningMethodRS256, rsaKey, nbf, ""),
		"forged signature":                    sign(t, jwt.SigningMethodRS256, rsaOther, claims("u", "test", time.Hour), ""),
		"wrong namespace":                     sign(t, jwt.SigningMethodRS256, rsaKey, claims("u", "other", time.Hour), ""),
		"missing sub":                         sign(t, jwt.SigningMethodRS256, rsaKey, noSub, ""),
		"missing exp":                         sign(t, jwt.SigningMethodRS256, rsaKey, noExp, ""),
		"bad sub":                             sign(t, jwt.SigningMethodRS256, rsaKey, claims("a b", "test", time.Hour), ""),
		"HS256 with the public key as secret": sign(t, jwt.SigningMethodHS256, pubPEM, claims("u", "test", time.Hour), ""),
		"ES256 token for an RSA key":          sign(t, jwt.SigningMethodES256, ecKey, claims("u", "test", time.Hour), ""),
		"RS512":                               sign(t, jwt.SigningMethodRS512, rsaKey, claims("u", "test", time.Hour), ""),
		"garbage":                             "not.a.jwt",
		"tampered payload":                    tamper(sign(t, jwt.SigningMethodRS256, rsaKey, claims("u", "test", time.Hour), "")),
		"alg none":                            algNone(t, claims("u", "test", time.Hour)),
	}
	for name, tok := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := rv.Verify(tok)
			require.Error(t, err)
			require.True(t, IsUnauthorized(err), "%v", err)
		})
	}
	// Within the leeway an expired token still passes (clock skew).
	_, err = rv.Verify(sign(t, jwt.SigningMethodRS256, rsaKey, claims("u", "test", -2*time.Second), ""))
	require.NoError(t, err)
}

func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin","namespace":"test","exp":9999999999}`))
	return strings.Join(parts, ".")
}

func algNone(t testing.TB, c jwt.MapClaims) string {
	s, err := jwt.NewWithClaims(jwt.SigningMethodNone, c).SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)
	return s
}

func TestVerifyJWKS(t *testing.T) {
	p := filepath.Join(t.TempDir(), "jwks.json")
	require.NoError(t, os.WriteFile(p, jwksJSON(t), 0o600))
	ks, err := LoadJWKS(p)
	require.NoError(t, err)
	v := NewVerifier(ks, "test", 0)

	_, err = v.Verify(sign(t, jwt.SigningMethodRS256, rsaKey, claims("u", "test", time.Hour), "rsa1"))
	require.NoError(t, err)
	_, err = v.Verify(sign(t, jwt.SigningMethodES256, ecKey, claims("u", "test", time.Hour), "ec1"))
	require.NoError(t, err)
	_, err = v.Verify(sign(t, jwt.SigningMethodRS256, rsaKey, claims("u", "test", time.Hour), "nope"))
	require.ErrorContains(t, err, "unknown key id")
	_, err = v.Verify(sign(t, jwt.SigningMethodRS256, rsaKey, claims("u", "test", time.Hour), "ec1"))
	require.Error(t, err, "key type must match the algorithm")
	_, err = v.Verify(sign(t, jwt.SigningMethodRS256, rsaKey, claims("u", "test", time.Hour), ""))
	require.Error(t, err, "no kid with several keys")
	_, err = v.Verify(sign(t, jwt.SigningMethodHS256, []byte("secret"), claims("u", "test", time.Hour), "hmac"))
	require.Error(t, err)

	_, err = ParseJWKS([]byte(`{"keys":[{"kty":"oct","k":"eA"}]}`))
	require.ErrorContains(t, err, "no usable")
	_, err = LoadPEM(filepath.Join(t.TempDir(), "missing.pem"))
	require.Error(t, err)
}

func TestBearerAndCache(t *testing.T) {
	ks := &KeySet{single: &rsaKey.PublicKey}
	cache := NewCache(1000, time.Second)
	b := &Bearer{Verifier: NewVerifier(ks, "test", time.Second), Cache: cache}
	tok := sign(t, jwt.SigningMethodRS256, rsaKey, claims("user-9", "test", time.Hour), "")

	for range 2 {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		u, err := b.Authenticate(r)
		require.NoError(t, err)
		require.Equal(t, "user-9", u)
	}
	require.Equal(t, 1, cache.Len())

	for _, h := range []string{"", "Bearer", "Bearer ", "Basic abc", "Bearer " + tok + "x"} {
		r := httptest.NewRequest("GET", "/", nil)
		if h != "" {
			r.Header.Set("Authorization", h)
		}
		_, err := b.Authenticate(r)
		require.True(t, IsUnauthorized(err), "%q", h)
	}

	// A cached token stops being accepted once it expires.
	now := time.Now()
	cache.now = func() time.Time { return now.Add(2 * time.Hour) }
	_, ok := cache.Get(tok)
	require.False(t, ok)
}

func TestCacheBounded(t *testing.T) {
	c := NewCache(128, 0)
	exp := time.Now().Add(time.Hour)
	for i := range 10_000 {
		c.Put(strings.Repeat("x", i%7)+string(rune(i)), Identity{UserID: "u", Expires: exp})
	}
	require.LessOrEqual(t, c.Len(), 128)
}

func TestMockHeader(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	_, err := MockHeader{}.Authenticate(r)
	require.True(t, IsUnauthorized(err))
	r.Header.Set(MockUserHeader, "user-000001")
	u, err := MockHeader{}.Authenticate(r)
	require.NoError(t, err)
	require.Equal(t, "user-000001", u)
	r.Header.Set(MockUserHeader, strings.Repeat("a", 129))
	_, err = MockHeader{}.Authenticate(r)
	require.Error(t, err)
}

func TestValidateUserID(t *testing.T) {
	for _, ok := range []string{"user-000001", "0123456789abcdef0123456789abcdef", "ユーザー", strings.Repeat("a", 128)} {
		require.NoError(t, ValidateUserID(ok), ok)
	}
	for _, bad := range []string{"", " ", "a b", "a\x00", "a\n", "\x7f", "\xff\xfe", "a\u200bb", strings.Repeat("a", 129)} {
		require.Error(t, ValidateUserID(bad), "%q", bad)
	}
}

// BenchmarkVerifyToken: a full cold verification per algorithm, and the cached path the
// service takes when a client reuses its token.
func BenchmarkVerifyToken(b *testing.B) {
	rs := sign(b, jwt.SigningMethodRS256, rsaKey, claims("user-000001", "test", time.Hour), "")
	es := sign(b, jwt.SigningMethodES256, ecKey, claims("user-000001", "test", time.Hour), "")
	rv := NewVerifier(&KeySet{single: &rsaKey.PublicKey}, "test", DefaultLeeway)
	ev := NewVerifier(&KeySet{single: &ecKey.PublicKey}, "test", DefaultLeeway)
	b.Run("RS256-cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := rv.Verify(rs); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ES256-cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ev.Verify(es); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		bearer := &Bearer{Verifier: rv, Cache: NewCache(100_000, DefaultLeeway)}
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", "Bearer "+rs)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := bearer.Authenticate(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
