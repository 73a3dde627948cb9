package main

import (
	"net"
	"time"

	"golang.org/x/net/netutil"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"
)

const (
	// handshakeTimeout bounds a new connection's TLS and HTTP/2 handshake (gRPC's default is 120 s):
	// a client that connects and says nothing must not hold one of GRPC_MAX_CONNECTIONS for long.
	handshakeTimeout = 10 * time.Second
	// maxHeaderListBytes bounds a call's metadata (gRPC's default is 16 MiB); the platform sends
	// a few hundred bytes.
	maxHeaderListBytes = 64 << 10
)

// limitOptions are the gRPC port's bounds on what one caller can make the process hold: message
// and metadata size, streams per connection, idle and dead connections.
func limitOptions(cfg config) []grpc.ServerOption {
	return []grpc.ServerOption{
		// The platform multiplexes up to 500 concurrent calls on one connection.
		grpc.MaxConcurrentStreams(uint32(cfg.MaxStreams)),
		// A bigger message is refused (RESOURCE_EXHAUSTED) before it is decoded.
		grpc.MaxRecvMsgSize(cfg.MaxRecvBytes),
		grpc.MaxHeaderListSize(maxHeaderListBytes),
		grpc.ConnectionTimeout(handshakeTimeout),
		// Clients pinging more often than MinTime are told to go away (too_many_pings).
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: cfg.KeepaliveMinTime, PermitWithoutStream: true}),
		// Our own pings find dead peers (a half-open connection after a partition) and free their
		// slots; an idle connection is closed gracefully (clients reconnect on their next call).
		grpc.KeepaliveParams(keepalive.ServerParameters{
			Time: cfg.KeepaliveTime, Timeout: cfg.KeepaliveTimeout, MaxConnectionIdle: cfg.MaxConnIdle,
		}),
	}
}

// registerReflection serves gRPC reflection only when GRPC_REFLECTION=true: it lists the port's
// services and message types to any caller, which a delivery-only port has no need to.
func registerReflection(srv *grpc.Server, cfg config) {
	if cfg.Reflection {
		reflection.Register(srv)
	}
}

// limitConns caps the gRPC port's open connections at GRPC_MAX_CONNECTIONS: further ones wait
// in the listen backlog until one closes (each costs buffers and goroutines; the platform uses few).
func limitConns(l net.Listener, cfg config) net.Listener {
	return netutil.LimitListener(l, cfg.MaxConns)
}
