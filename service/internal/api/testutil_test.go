package api

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
)

func jwtPEM(pub any) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
