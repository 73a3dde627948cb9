package challenge

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	accountv1 "github.com/challenge-perf/challenge-perf/contract/pb/iam/account/v1"
	statisticv1 "github.com/challenge-perf/challenge-perf/contract/pb/social/statistic/v1"
	"github.com/challenge-perf/challenge-perf/loadgen"
	"github.com/stretchr/testify/require"
)

// apiServer is an in-process stand-in for the challenge service's HTTP API.
type apiServer struct {
	*httptest.Server
	body   []byte // GET /v1/challenges body
	claims atomic.Int64
	// list, when set, builds the GET body per request (e2e test).
	list func(user string) []byte
}

func newAPIServer(t testing.TB) *apiServer {
	s := &apiServer{body: []byte(`{"challenges":[{"challengeId":"c1","goals":[{"goalId":"g1","status":"in_progress","progress":1,"claimedAt":null}]}]}`)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("GET /v1/challenges", func(w http.ResponseWriter, r *http.Request) {
		if s.list != nil {
			_, _ = w.Write(s.list(r.Header.Get("X-Mock-User-Id")))
			return
		}
		_, _ = w.Write(s.body)
	})
	mux.HandleFunc("POST /v1/challenges/{c}/goals/{g}/claim", func(w http.ResponseWriter, r *http.Request) {
		if s.claims.Add(1)%2 == 0 {
			w.WriteHeader(409)
			return
		}
		_, _ = w.Write([]byte(`{"status":"claimed"}`))
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// received is one event as the gRPC server saw it.
type received struct {
	id       string
	login    bool
	user     string
	code     string
	value    float64
	ts       time.Time
	accepted bool
}

// grpcServer implements both OnMessage services with a fixed delay and
// rejects every rejectEvery-th event with codes.Internal.
type grpcServer struct {
	accountv1.UnimplementedUserAuthenticationUserLoggedInServiceServer
	addr        string
	delay       time.Duration
	rejectEvery int64
	rejectCode  codes.Code // codes.Internal unless set
	n           atomic.Int64
	mu          sync.Mutex
	events      []received
	ids         map[string]bool
	dupIDs      int
}

func newGRPCServer(t testing.TB, delay time.Duration, rejectEvery int64) *grpcServer {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &grpcServer{addr: lis.Addr().String(), delay: delay, rejectEvery: rejectEvery, ids: map[string]bool{}}
	gs := grpc.NewServer()
	accountv1.RegisterUserAuthenticationUserLoggedInServiceServer(gs, s)
	statisticv1.RegisterStatisticStatItemUpdatedServiceServer(gs, statServer{s: s})
	go func() { _ = gs.Serve(lis) }()
	t.Cleanup(gs.Stop)
	return s
}

func (s *grpcServer) record(id string, ev received) error {
	time.Sleep(s.delay)
	ev.accepted = !(s.rejectEvery > 0 && s.n.Add(1)%s.rejectEvery == 0)
	s.mu.Lock()
	if s.ids[id] {
		s.dupIDs++
	}
	s.ids[id] = true
	s.events = append(s.events, ev)
	s.mu.Unlock()
	if !ev.accepted {
		c := s.rejectCode
		if c == codes.OK {
			c = codes.Internal
		}
		return status.Error(c, "rejected by test server")
	}
	return nil
}

func (s *grpcServer) OnMessage(ctx context.Context, m *accountv1.UserLoggedIn) (*emptypb.Empty, error) {
	if m.GetName() != "userLoggedIn" || m.GetPayload().GetUserAccount().GetUserId() != m.GetUserId() {
		return nil, status.Error(codes.InvalidArgument, "bad envelope")
	}
	return &emptypb.Empty{}, s.record(m.GetId(), received{login: true, user: m.GetUserId()})
}

// statServer adapts the second service (both have a method named OnMessage).
type statServer struct {
	statisticv1.UnimplementedStatisticStatItemUpdatedServiceServer
	s *grpcServer
}

func (ss statServer) OnMessage(ctx context.Context, m *statisticv1.StatItemUpdated) (*emptypb.Empty, error) {
	var ts time.Time // none: the zero time (the contract's order)
	if m.GetTimestamp() != "" {
		var err error
		if ts, err = time.Parse(time.RFC3339Nano, m.GetTimestamp()); err != nil {
			return nil, status.Error(codes.InvalidArgument, "bad timestamp")
		}
	}
	if m.GetName() != "statItemUpdated" || m.GetVersion() != 1 {
		return nil, status.Error(codes.InvalidArgument, "bad envelope")
	}
	p := m.GetPayload()
	return &emptypb.Empty{}, ss.s.record(m.GetId(), received{id: m.GetId(), user: m.GetUserId(), code: p.GetStatCode(), value: p.GetLatestValue(), ts: ts})
}

// snapshot returns a copy of the received events.
func (s *grpcServer) snapshot() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.events...)
}

// writeFile writes content into a temp file and returns its path.
func writeFile(t testing.TB, name string, v any) string {
	p := filepath.Join(t.TempDir(), name)
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	default:
		b, _ = json.Marshal(x)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func users(n int) []string {
	var u []string
	for i := 1; i <= n; i++ {
		u = append(u, fmt.Sprintf("user-%06d", i))
	}
	return u
}

// runPlan parses and runs a plan with the challenge workloads registered.
func runPlan(t testing.TB, planJSON string) *loadgen.Result {
	t.Helper()
	p, err := loadgen.ParsePlan([]byte(planJSON))
	require.NoError(t, err)
	res, err := loadgen.Run(context.Background(), p, loadgen.RunOptions{Log: io.Discard})
	require.NoError(t, err)
	return res
}

// metric is one number of a summary metric (a rate's passes and fails are int64).
func metric(t testing.TB, r *loadgen.Result, key, field string) float64 {
	t.Helper()
	switch v := r.Summary.Metrics[key][field].(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	}
	t.Fatalf("summary metric %s has no number %s", key, field)
	return 0
}
