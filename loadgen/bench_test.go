package loadgen

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	accountv1 "github.com/challenge-perf/challenge-perf/contract/pb/iam/account/v1"
	statisticv1 "github.com/challenge-perf/challenge-perf/contract/pb/social/statistic/v1"
)

// Calibration benchmarks: the engine drives a server running in a CHILD
// process (this test binary re-executed, GOMAXPROCS=1), so the reported CPU
// is the generator's alone. Run with a fixed iteration count, e.g.
//
//	go test ./loadgen -run '^$' -bench . -benchtime 20000x
//
// Env: LOADGEN_BENCH_RATE (iterations/s; default 2000 HTTP, 5000 gRPC),
// LOADGEN_BENCH_BODY (HTTP response bytes, default 1024; the real list is ~151 KB).

const serveEnv = "LOADGEN_BENCH_SERVE"

func TestMain(m *testing.M) {
	switch os.Getenv(serveEnv) {
	case "http":
		serveHTTPChild()
	case "grpc":
		serveGRPCChild()
	default:
		os.Exit(m.Run())
	}
}

func serveHTTPChild() {
	runtime.GOMAXPROCS(1)
	n, _ := strconv.Atoi(os.Getenv("LOADGEN_BENCH_BODY"))
	if n <= 0 {
		n = 1024
	}
	body := []byte(`{"challenges":[{"challengeId":"c","x":"` + strings.Repeat("x", n) + `"}]}`)[:n]
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.Exit(1)
	}
	fmt.Println(lis.Addr().String())
	go func() {
		_ = http.Serve(lis, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(body) }))
	}()
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // exit when the parent closes stdin
	os.Exit(0)
}

type emptyServer struct {
	accountv1.UnimplementedUserAuthenticationUserLoggedInServiceServer
}

func (emptyServer) OnMessage(context.Context, *accountv1.UserLoggedIn) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

type emptyStatServer struct {
	statisticv1.UnimplementedStatisticStatItemUpdatedServiceServer
}

func (emptyStatServer) OnMessage(context.Context, *statisticv1.StatItemUpdated) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func serveGRPCChild() {
	runtime.GOMAXPROCS(1)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.Exit(1)
	}
	fmt.Println(lis.Addr().String())
	gs := grpc.NewServer()
	accountv1.RegisterUserAuthenticationUserLoggedInServiceServer(gs, emptyServer{})
	statisticv1.RegisterStatisticStatItemUpdatedServiceServer(gs, emptyStatServer{})
	go func() { _ = gs.Serve(lis) }()
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	os.Exit(0)
}

// startChild runs a server child process and returns its address.
func startChild(b *testing.B, kind string) string {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serveEnv+"="+kind)
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = in.Close(); _ = cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		b.Fatal(err)
	}
	return strings.TrimSpace(addr)
}

func benchRate(def float64) float64 {
	if r, err := strconv.ParseFloat(os.Getenv("LOADGEN_BENCH_RATE"), 64); err == nil && r > 0 {
		return r
	}
	return def
}

func benchEngine(b *testing.B, exec, env, target string, rate float64, reqMetric, durMetric string) {
	dur := benchDuration(b.N, rate)
	p, err := ParsePlan([]byte(fmt.Sprintf(`{"scenarios":{"bench":{"executor":"constant-arrival-rate","rate":%v,"duration":%q,
		"preAllocatedVUs":64,"maxVUs":500,"exec":%q,"env":%s}},"target":%s,"httpPool":64}`, rate, dur.String(), exec, env, target)))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	res, err := Run(context.Background(), p, RunOptions{})
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	m := res.Summary.Metrics
	reqs, _ := m[reqMetric]["count"].(float64)
	lg := res.Summary.Loadgen
	trend := m[durMetric]
	msDur := func(k string) time.Duration {
		v, _ := trend[k].(float64)
		return time.Duration(v * float64(time.Millisecond))
	}
	reportCost(b, reqs, time.Duration(lg.WallSeconds*float64(time.Second)), time.Duration(lg.CPUSeconds*float64(time.Second)),
		msDur("med"), msDur("p(95)"), msDur("p(99)"), float64(lg.IterationErrors))
	b.ReportMetric(lg.LagP99Ms, "lag-p99-ms")
	b.ReportMetric(100*lg.DroppedFraction, "drop-%")
}

func BenchmarkHTTPGet(b *testing.B) {
	addr := startChild(b, "http")
	benchEngine(b, "httpGet", "{}", fmt.Sprintf(`{"baseURL":"http://%s"}`, addr), benchRate(2000), "http_reqs", "http_req_duration")
}

func BenchmarkGRPCUnary(b *testing.B) {
	addr := startChild(b, "grpc")
	benchEngine(b, "grpcEmpty", fmt.Sprintf(`{"method":%q}`, statisticv1.StatisticStatItemUpdatedService_OnMessage_FullMethodName), fmt.Sprintf(`{"grpcAddr":%q}`, addr), benchRate(5000), "grpc_reqs", "grpc_req_duration")
}
