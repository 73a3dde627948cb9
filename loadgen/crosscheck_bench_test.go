package loadgen

import (
	"context"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bojand/ghz/runner"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/emptypb"

	statisticv1 "github.com/challenge-perf/challenge-perf/contract/pb/social/statistic/v1"
)

// Cross-check benchmarks: the same child-process servers (GOMAXPROCS=1), the
// same rate (LOADGEN_BENCH_RATE) and the same duration (b.N / rate) as
// BenchmarkHTTPGet / BenchmarkGRPCUnary, driven by
//
//   - vegeta v12 as a library (HTTP),
//   - ghz's runner as a library (gRPC),
//   - a raw grpc-go paced loop (gRPC floor: one ClientConn, one goroutine per
//     call, no metrics beyond a latency slot per call),
//
// reporting the same metrics: achieved req/s (requests / wall time of the
// attack), CPU µs per request of THIS process (getrusage user+sys deltas
// around the attack, as the engine does around its run), p50/p95/p99 and
// errors. Compare, e.g.
//
//	go test ./loadgen -run '^$' -bench 'HTTPGet' -benchtime 20000x
//	go test ./loadgen -run '^$' -bench 'GRPCUnary' -benchtime 20000x
//
// Latency caveat (see docs k6-compat): vegeta and ghz QUEUE late requests
// (catch-up bursts) instead of counting dropped iterations, and they time
// latency from the actual send, not from the scheduled start; so when the
// generator falls behind, their percentiles hide it while the engine reports
// lag/drops. Compare latencies only while the engine shows no lag and no drops.

const (
	crossWorkers = 64  // = the engine's preAllocatedVUs in benchEngine
	crossMaxVUs  = 500 // = the engine's maxVUs
	crossConns   = 64  // = the engine's httpPool
)

func benchDuration(n int, rate float64) time.Duration {
	return max(time.Duration(float64(n)/rate*float64(time.Second)), time.Millisecond)
}

// reportCost reports the metrics every calibration benchmark shares.
func reportCost(b *testing.B, reqs float64, wall, cpu time.Duration, p50, p95, p99 time.Duration, errs float64) {
	if reqs > 0 {
		b.ReportMetric(reqs/wall.Seconds(), "req/s")
		b.ReportMetric(cpu.Seconds()*1e6/reqs, "cpu-µs/req")
	}
	b.ReportMetric(ms(p50), "p50-ms")
	b.ReportMetric(ms(p95), "p95-ms")
	b.ReportMetric(ms(p99), "p99-ms")
	b.ReportMetric(errs, "errors")
	b.ReportMetric(0, "ns/op") // wall time per op is meaningless for an open model
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkVegetaHTTPGet drives the HTTP child with vegeta's Attacker:
// 64 initial workers (max 500), 64 keep-alive connections to the host, a
// static GET target, Rate{Freq, Per: 1s} for b.N/rate seconds.
func BenchmarkVegetaHTTPGet(b *testing.B) {
	addr := startChild(b, "http")
	rate := benchRate(2000)
	dur := benchDuration(b.N, rate)
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: "http://" + addr + "/"})
	atk := vegeta.NewAttacker(
		vegeta.Workers(crossWorkers), vegeta.MaxWorkers(crossMaxVUs),
		vegeta.Connections(crossConns), vegeta.MaxConnections(crossConns),
		vegeta.KeepAlive(true), vegeta.Timeout(60*time.Second))
	// Vegeta's Rate is integral: Freq per Per. Express fractional rates per ms.
	pace := vegeta.Rate{Freq: int(rate), Per: time.Second}
	if float64(int(rate)) != rate {
		pace = vegeta.Rate{Freq: int(rate * 1000), Per: 1000 * time.Second}
	}
	var m vegeta.Metrics
	b.ResetTimer()
	cpu0, t0 := cpuTime(), time.Now()
	for res := range atk.Attack(tr, pace, dur, "bench") {
		m.Add(res)
	}
	wall, cpu := time.Since(t0), cpuTime()-cpu0
	b.StopTimer()
	m.Close()
	atk.Stop()
	reqs := float64(m.Requests)
	// vegeta's percentiles are t-digest estimates of latency measured from the
	// ACTUAL send (late requests queue up, nothing is dropped): see above.
	reportCost(b, reqs, wall, cpu, m.Latencies.P50, m.Latencies.P95, m.Latencies.P99, reqs-m.Success*reqs)
	if len(m.Errors) > 0 {
		b.Logf("vegeta errors: %v", m.Errors)
	}
}

// statProtoset is a FileDescriptorSet holding the statistic service and its
// imports, so ghz needs neither .proto files nor server reflection (the
// child server stays identical to BenchmarkGRPCUnary's).
func statProtoset(b *testing.B) []byte {
	var fds descriptorpb.FileDescriptorSet
	seen := map[string]bool{}
	var add func(fd protoreflect.FileDescriptor)
	add = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		for i := 0; i < fd.Imports().Len(); i++ {
			add(fd.Imports().Get(i).FileDescriptor)
		}
		fds.File = append(fds.File, protodesc.ToFileDescriptorProto(fd))
	}
	add(statisticv1.File_accelbyte_asyncapi_social_statistic_v1_statistic_proto)
	out, err := proto.Marshal(&fds)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkGhzGRPCUnary drives the gRPC child with ghz's runner: one
// connection, 64 workers, const RPS = rate, b.N requests, the same method and
// empty message as the engine's grpcEmpty workload.
func BenchmarkGhzGRPCUnary(b *testing.B) {
	addr := startChild(b, "grpc")
	rate := benchRate(5000)
	method := statisticv1.StatisticStatItemUpdatedService_OnMessage_FullMethodName[1:] // "pkg.Service/Method"
	procs := runtime.GOMAXPROCS(0)
	cfg, err := runner.NewConfig(method, addr,
		runner.WithProtosetBinary(statProtoset(b)),
		runner.WithInsecure(true),
		runner.WithConnections(1),
		runner.WithConcurrency(crossWorkers),
		runner.WithRPS(uint(rate)),
		runner.WithTotalRequests(uint(b.N)),
		runner.WithData(map[string]any{}),
		runner.WithTimeout(60*time.Second),
		runner.WithCPUs(uint(procs)),
	)
	if err != nil {
		b.Fatal(err)
	}
	reqr, err := runner.NewRequester(cfg) // parses descriptors; not timed
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0, t0 := cpuTime(), time.Now()
	rep, err := reqr.Run() // dials its one connection, then runs
	wall, cpu := time.Since(t0), cpuTime()-cpu0
	b.StopTimer()
	runtime.GOMAXPROCS(procs) // ghz.Run would reset it to NumCPU; keep ours
	if err != nil {
		b.Fatal(err)
	}
	var p50, p95, p99 time.Duration
	for _, l := range rep.LatencyDistribution {
		switch l.Percentage {
		case 50:
			p50 = l.Latency
		case 95:
			p95 = l.Latency
		case 99:
			p99 = l.Latency
		}
	}
	errs := 0
	for _, n := range rep.ErrorDist {
		errs += n
	}
	// ghz's percentiles are exact over its samples (it keeps the first 1e6) and
	// measured from the ACTUAL send (late calls queue up, nothing is dropped).
	reportCost(b, float64(rep.Count), wall, cpu, p50, p95, p99, float64(errs))
	if errs > 0 {
		b.Logf("ghz errors: %v", rep.ErrorDist)
	}
}

// BenchmarkRawGRPCPacedUnary is the floor: a raw grpc-go paced loop, not a
// load tool. One ClientConn (connected before the clock), call i starts at
// start + i/rate (a late wake starts the due calls at once), one goroutine per
// call, and the only bookkeeping is a latency slot per call.
func BenchmarkRawGRPCPacedUnary(b *testing.B) {
	addr := startChild(b, "grpc")
	rate := benchRate(5000)
	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	method := statisticv1.StatisticStatItemUpdatedService_OnMessage_FullMethodName
	if err := conn.Invoke(context.Background(), method, &emptypb.Empty{}, &emptypb.Empty{}); err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, b.N)
	var errs atomic.Int64
	var wg sync.WaitGroup
	interval := float64(time.Second) / rate
	b.ResetTimer()
	cpu0, t0 := cpuTime(), time.Now()
	for i := range b.N {
		if d := time.Until(t0.Add(time.Duration(float64(i) * interval))); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := time.Now()
			if conn.Invoke(context.Background(), method, &emptypb.Empty{}, &emptypb.Empty{}) != nil {
				errs.Add(1)
			}
			lat[i] = time.Since(s)
		}()
	}
	wg.Wait()
	wall, cpu := time.Since(t0), cpuTime()-cpu0
	b.StopTimer()
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	reportCost(b, float64(b.N), wall, cpu, q(0.50), q(0.95), q(0.99), float64(errs.Load()))
}
