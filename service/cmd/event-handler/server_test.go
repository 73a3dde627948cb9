package main

// Issue 23.9: the gRPC port's limits (message size, streams, metadata, keepalive, idle and
// connection caps) and reflection off by default, exercised through run() on real ports.

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"google.golang.org/grpc/codes"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	accountv1 "github.com/challenge-perf/challenge-perf/contract/pb/iam/account/v1"
)

// A message above GRPC_MAX_RECV_MSG_BYTES (64 KiB by default; events are a few hundred bytes) is
// refused by the transport before it is decoded.
func TestOversizedMessageIsRefused(t *testing.T) {
	h := startHandler(t, map[string]string{"ACK_MODE": ackDurable})
	big := &accountv1.UserLoggedIn{Id: "e1", UserId: "u1", Namespace: "test", Timestamp: strings.Repeat("x", 100<<10)}
	_, err := h.Login.OnMessage(context.Background(), big)
	require.Equal(t, codes.ResourceExhausted, status.Code(err), "%v", err)
	_, err = h.Login.OnMessage(context.Background(), &accountv1.UserLoggedIn{Id: "e1", UserId: "u1", Namespace: "test"})
	require.NoError(t, err, "the connection still serves")

	h = startHandler(t, map[string]string{"ACK_MODE": ackDurable, "GRPC_MAX_RECV_MSG_BYTES": "2048"})
	big.Timestamp = strings.Repeat("x", 4<<10)
	_, err = h.Login.OnMessage(context.Background(), big)
	require.Equal(t, codes.ResourceExhausted, status.Code(err), "%v", err)
}

// listServices asks the port's reflection service for its services.
func listServices(h *handler) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := reflectionpb.NewServerReflectionClient(h.conn).ServerReflectionInfo(ctx)
	if err != nil {
		return nil, err
	}
	// A Send on a stream the server already ended says io.EOF; Recv has the status.
	if err := st.Send(&reflectionpb.ServerReflectionRequest{
		MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{ListServices: "*"}}); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	resp, err := st.Recv()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	return names, nil
}

func TestReflectionIsOffByDefault(t *testing.T) {
	h := startHandler(t, map[string]string{"ACK_MODE": ackDurable})
	_, err := listServices(h)
	require.Equal(t, codes.Unimplemented, status.Code(err), "%v", err)

	h = startHandler(t, map[string]string{"ACK_MODE": ackDurable, "GRPC_REFLECTION": "true"})
	names, err := listServices(h)
	require.NoError(t, err)
	require.Contains(t, names, accountv1.UserAuthenticationUserLoggedInService_ServiceDesc.ServiceName)
}

// rawConn is an HTTP/2 connection to the gRPC port without a gRPC client: it sees the server's
// SETTINGS, PINGs and GOAWAYs, and can ping as often as it likes.
type rawConn struct {
	net.Conn
	*http2.Framer
}

func dialRaw(t *testing.T, h *handler) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", h.conn.Target(), 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	_, err = c.Write([]byte(http2.ClientPreface))
	require.NoError(t, err)
	f := http2.NewFramer(c, c)
	require.NoError(t, f.WriteSettings())
	return &rawConn{c, f}
}

// next returns the next frame other than SETTINGS acks and WINDOW_UPDATEs, or nil after d.
func (r *rawConn) next(t *testing.T, d time.Duration) http2.Frame {
	t.Helper()
	require.NoError(t, r.SetReadDeadline(time.Now().Add(d)))
	for {
		f, err := r.ReadFrame()
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			return nil
		}
		require.NoError(t, err)
		if s, ok := f.(*http2.SettingsFrame); ok && s.IsAck() {
			continue
		}
		if _, ok := f.(*http2.WindowUpdateFrame); ok {
			continue
		}
		return f
	}
}

// serverSettings reads the server's first SETTINGS frame.
func (r *rawConn) serverSettings(t *testing.T, d time.Duration) *http2.SettingsFrame {
	t.Helper()
	f := r.next(t, d)
	if f == nil {
		return nil
	}
	s, ok := f.(*http2.SettingsFrame)
	require.True(t, ok, "first frame %T", f)
	require.NoError(t, r.WriteSettingsAck())
	return s
}

func TestGRPCPortAnnouncesItsLimitsAndEnforcesPings(t *testing.T) {
	h := startHandler(t, map[string]string{"ACK_MODE": ackDurable})
	c := dialRaw(t, h)
	s := c.serverSettings(t, 5*time.Second)
	require.NotNil(t, s)
	streams, ok := s.Value(http2.SettingMaxConcurrentStreams)
	require.True(t, ok)
	require.EqualValues(t, 1000, streams)
	headers, ok := s.Value(http2.SettingMaxHeaderListSize)
	require.True(t, ok)
	require.EqualValues(t, maxHeaderListBytes, headers)

	// Pings far more often than GRPC_KEEPALIVE_MIN_TIME (10 s): after a few strikes, GOAWAY.
	for i := range 5 {
		require.NoError(t, c.WritePing(false, [8]byte{byte(i)}))
	}
	for {
		f := c.next(t, 5*time.Second)
		require.NotNil(t, f, "no GOAWAY")
		if g, ok := f.(*http2.GoAwayFrame); ok {
			require.Equal(t, http2.ErrCodeEnhanceYourCalm, g.ErrCode)
			require.Equal(t, "too_many_pings", string(g.DebugData()))
			return
		}
	}
}

// The server pings an idle connection (GRPC_KEEPALIVE_TIME) to find dead peers, and closes a
// connection idle for GRPC_MAX_CONNECTION_IDLE.
func TestGRPCPortPingsAndClosesIdleConnections(t *testing.T) {
	h := startHandler(t, map[string]string{"ACK_MODE": ackDurable, "GRPC_KEEPALIVE_TIME": "1s", "GRPC_MAX_CONNECTION_IDLE": "3s"})
	c := dialRaw(t, h)
	require.NotNil(t, c.serverSettings(t, 5*time.Second))
	start := time.Now()
	var pinged bool
	for {
		f := c.next(t, 10*time.Second)
		require.NotNil(t, f, "no GOAWAY for the idle connection")
		switch f := f.(type) {
		case *http2.PingFrame:
			if !f.IsAck() {
				pinged = true
				require.NoError(t, c.WritePing(true, f.Data))
			}
		case *http2.GoAwayFrame:
			require.True(t, pinged, "pinged before")
			require.Equal(t, http2.ErrCodeNo, f.ErrCode, "a graceful close")
			require.GreaterOrEqual(t, time.Since(start), 2*time.Second)
			return
		}
	}
}

// GRPC_MAX_CONNECTIONS: a connection above the cap waits (no SETTINGS) until one closes.
func TestGRPCPortCapsConnections(t *testing.T) {
	h := startHandler(t, map[string]string{"ACK_MODE": ackDurable, "GRPC_MAX_CONNECTIONS": "2"})
	a, b := dialRaw(t, h), dialRaw(t, h)
	require.NotNil(t, a.serverSettings(t, 5*time.Second))
	require.NotNil(t, b.serverSettings(t, 5*time.Second))
	c := dialRaw(t, h)
	require.Nil(t, c.serverSettings(t, 500*time.Millisecond), "a third connection is not served")
	require.NoError(t, a.Close())
	require.NotNil(t, c.serverSettings(t, 5*time.Second), "served once one closed")
}
