package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/contract/eventstest"
	accountv1 "github.com/challenge-perf/challenge-perf/contract/pb/iam/account/v1"
	"github.com/challenge-perf/challenge-perf/service/internal/events"
	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

// panicky panics on its first event, then accepts.
type panicky struct{ calls int }

func (p *panicky) Accept(context.Context, string, *statstore.Update) (events.Outcome, error) {
	p.calls++
	if p.calls == 1 {
		panic("bug in the sink")
	}
	return events.Applied, nil
}

// serve starts the handler's gRPC server with serverOptions(cfg) on a sink and returns its address.
func serve(t *testing.T, cfg config, sink events.Sink, reg *prometheus.Registry) string {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat, err := challenges.Parse(eventstest.FixtureJSON())
	require.NoError(t, err)
	opts, err := serverOptions(cfg, reg, log)
	require.NoError(t, err)
	srv := grpc.NewServer(opts...)
	events.NewHandler(events.Config{Namespace: "test"}, cat, sink, events.NewMetrics(nil), log).Register(srv)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(lis) //nolint:errcheck // ends with Stop
	t.Cleanup(srv.Stop)
	return lis.Addr().String()
}

func login(id string) *accountv1.UserLoggedIn {
	return &accountv1.UserLoggedIn{Id: id, UserId: "u1", Namespace: "test"}
}

// A panic in one call is answered INTERNAL (the platform redelivers); the process, and so every
// other event of the open batch, carries on.
func TestPanicInACallIsRecovered(t *testing.T) {
	reg := prometheus.NewRegistry()
	addr := serve(t, config{}, &panicky{}, reg)
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	c := accountv1.NewUserAuthenticationUserLoggedInServiceClient(conn)
	_, err = c.OnMessage(context.Background(), login("a"))
	require.Equal(t, codes.Internal, status.Code(err), "%v", err)
	_, err = c.OnMessage(context.Background(), login("b"))
	require.NoError(t, err, "still serving")
	n, err := testutil.GatherAndCount(reg, "grpc_handler_panics_total")
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

func TestGRPCTLS(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM := selfSigned(t)
	cfg := config{TLSCert: filepath.Join(dir, "cert.pem"), TLSKey: filepath.Join(dir, "key.pem")}
	require.NoError(t, os.WriteFile(cfg.TLSCert, certPEM, 0o600))
	require.NoError(t, os.WriteFile(cfg.TLSKey, keyPEM, 0o600))
	addr := serve(t, cfg, &panicky{calls: 1}, prometheus.NewRegistry())

	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(certPEM))
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: pool, ServerName: "localhost"})))
	require.NoError(t, err)
	defer conn.Close()
	_, err = accountv1.NewUserAuthenticationUserLoggedInServiceClient(conn).OnMessage(context.Background(), login("a"))
	require.NoError(t, err)

	plain, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer plain.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = accountv1.NewUserAuthenticationUserLoggedInServiceClient(plain).OnMessage(ctx, login("b"))
	require.Error(t, err, "a plaintext client is refused")

	_, err = serverOptions(config{TLSCert: filepath.Join(dir, "missing.pem"), TLSKey: cfg.TLSKey}, prometheus.NewRegistry(), slog.Default())
	require.ErrorContains(t, err, "GRPC_TLS_CERT_PATH")
}

func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}
