package auth

import (
	"encoding/base64"
	"math/big"
	"strings"
)

// b64 decodes base64url with or without padding (JWKS producers differ).
func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

func newInt(b []byte) *big.Int { return new(big.Int).SetBytes(b) }
