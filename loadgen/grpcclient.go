package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
)

// grpcTarget is ONE shared ClientConn per scenario, like the platform that
// multiplexes up to 500 concurrent OnMessage calls on one connection.
type grpcTarget struct {
	conn    *grpc.ClientConn
	timeout time.Duration
	bytes   byteCounter
}

func newGRPCTarget(addr string, timeout time.Duration) (*grpcTarget, error) {
	t := &grpcTarget{timeout: timeout}
	conn, err := grpc.NewClient("passthrough:///"+addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(spanHandler{}),
		grpc.WithContextDialer(func(ctx context.Context, a string) (net.Conn, error) {
			return t.bytes.dialer()(ctx, "tcp", a)
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("grpc target %q: %w", addr, err)
	}
	t.conn = conn
	return t, nil
}

// connect opens the connection before measuring.
func (t *grpcTarget) connect(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	t.conn.Connect()
	for {
		s := t.conn.GetState()
		if s == connectivity.Ready {
			return nil
		}
		if !t.conn.WaitForStateChange(ctx, s) {
			return fmt.Errorf("grpc %s: not ready (state %s)", t.conn.Target(), s)
		}
	}
}

func (t *grpcTarget) close() { _ = t.conn.Close() }

// rpcSpan receives stats.Begin/End times (monotonic ns since epoch).
type rpcSpan struct{ begin, end atomic.Int64 }

type spanKey struct{}

// spanHandler implements grpc's stats.Handler: grpc_req_duration is
// End.EndTime − Begin.BeginTime, as in k6.
type spanHandler struct{}

func (spanHandler) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (spanHandler) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}
func (spanHandler) HandleConn(context.Context, stats.ConnStats) {}
func (spanHandler) HandleRPC(ctx context.Context, s stats.RPCStats) {
	sp, _ := ctx.Value(spanKey{}).(*rpcSpan)
	if sp == nil {
		return
	}
	switch e := s.(type) {
	case *stats.Begin:
		sp.begin.Store(int64(e.BeginTime.Sub(epoch)))
	case *stats.End:
		sp.end.Store(int64(e.EndTime.Sub(epoch)))
	}
}

// Invoke makes a unary call on the scenario's shared connection and records
// grpc_reqs, grpc_req_duration and grpc_req_failed (tag name).
func (vu *VU) Invoke(ctx context.Context, method, name string, in, out any) error {
	t := vu.sr.grpc
	if t == nil {
		return errors.New("scenario has no gRPC target")
	}
	sp := &vu.span
	sp.begin.Store(0)
	sp.end.Store(0)
	cctx, cancel := context.WithTimeout(context.WithValue(ctx, spanKey{}, sp), t.timeout)
	start := mono()
	err := t.conn.Invoke(cctx, method, in, out)
	end := mono()
	cancel()
	if err != nil && ctx.Err() != nil {
		return err // interrupted by the end of the run: not a measurement
	}
	b, e := orElse(sp.begin.Load(), start), orElse(sp.end.Load(), end)
	failed := 0.0
	if status.Code(err) != codes.OK {
		failed = 1
	}
	vu.buf.add(
		sample{mGRPCReqs, vu.sr.idx, 1, name},
		sample{mGRPCDuration, vu.sr.idx, micros(time.Duration(e - b)), name},
		sample{mGRPCFailed, vu.sr.idx, failed, name},
	)
	return err
}
