package main

import (
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
)

// serverOptions: panic recovery per call and, when configured, TLS.
//
// The gRPC port is meant for the platform's event delivery only (no caller authentication here):
// expose it on a network only the platform reaches, and set GRPC_TLS_CERT_PATH/GRPC_TLS_KEY_PATH
// when that network is not trusted.
func serverOptions(cfg config, reg prometheus.Registerer, log *slog.Logger) ([]grpc.ServerOption, error) {
	panics := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "grpc_handler_panics_total", Help: "gRPC calls that panicked (recovered: answered INTERNAL, the process and its batch carry on).",
	})
	reg.MustRegister(panics)
	// A panic in one call must not kill the process: that would drop every event other calls have
	// in the open batch or buffer. The call is answered INTERNAL, so the platform redelivers it.
	onPanic := recovery.WithRecoveryHandler(func(p any) error {
		panics.Inc()
		log.Error("gRPC handler panicked; call answered INTERNAL", "panic", p, "stack", string(debug.Stack()))
		return status.Error(codes.Internal, "internal error")
	})
	opts := []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(recovery.UnaryServerInterceptor(onPanic)),
		grpc.ChainStreamInterceptor(recovery.StreamServerInterceptor(onPanic)),
	}
	if cfg.TLSCert != "" {
		creds, err := credentials.NewServerTLSFromFile(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("gRPC TLS (GRPC_TLS_CERT_PATH, GRPC_TLS_KEY_PATH): %w", err)
		}
		opts = append(opts, grpc.Creds(creds))
	}
	return opts, nil
}
