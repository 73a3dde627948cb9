package loadgen

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/known/emptypb"
)

// The engine's own workloads: calibration iterations against any endpoint, knowing nothing of
// the system under test (its workloads live in packages of their own, see the package doc).
//
// httpGet env: url (absolute) or path (appended to target.baseURL; default
// "/"), name (tag; default "GET <path>"), auth (bool: send the plan's auth
// header for a random user), expect (comma list of extra OK statuses).
//
// grpcEmpty env: method (full method name "/pkg.Service/Method", required), name. It sends an
// empty message: zero bytes decode as the default value of any request type, so it works
// against any unary method.
func init() {
	RegisterWorkload("httpGet", httpGetFactory)
	RegisterWorkload("grpcEmpty", grpcEmptyFactory)
}

func httpGetFactory(sc *ScenarioContext) (Iteration, error) {
	if err := sc.CheckEnv("url", "path", "name", "auth", "expect"); err != nil {
		return nil, err
	}
	url := sc.Env("url", "")
	if url == "" {
		if err := sc.HTTP(); err != nil {
			return nil, err
		}
		url = sc.Plan.Target.BaseURL + sc.Env("path", "/")
	} else {
		sc.ensureHTTP()
	}
	auth, err := sc.EnvBool("auth", false)
	if err != nil {
		return nil, err
	}
	var expect []int
	for _, s := range sc.EnvList("expect", nil) {
		c, err := strconv.Atoi(s)
		if err != nil {
			return nil, sc.EnvError("expect", "comma-separated status codes")
		}
		expect = append(expect, c)
	}
	name := sc.Env("name", fmt.Sprintf("GET %s", sc.Env("path", url)))
	sc.SetMainMetric(MetricHTTPReqDuration)
	return func(ctx context.Context, vu *VU) error {
		req := HTTPRequest{Method: http.MethodGet, URL: url, Name: name, Expected: expect}
		if auth {
			req.User = vu.PickUser()
		}
		r := vu.HTTP(ctx, req)
		vu.Check("status 2xx", r.Err == nil && r.Status >= 200 && r.Status < 300)
		return r.Err
	}, nil
}

func grpcEmptyFactory(sc *ScenarioContext) (Iteration, error) {
	if err := sc.CheckEnv("method", "name"); err != nil {
		return nil, err
	}
	if err := sc.GRPC(); err != nil {
		return nil, err
	}
	method := sc.Env("method", "")
	if !strings.HasPrefix(method, "/") || !strings.Contains(method[1:], "/") {
		return nil, sc.EnvError("method", "a full gRPC method name like /pkg.Service/Method")
	}
	name := sc.Env("name", method)
	sc.SetMainMetric(MetricGRPCReqDuration)
	return func(ctx context.Context, vu *VU) error {
		return vu.Invoke(ctx, method, name, &emptypb.Empty{}, &emptypb.Empty{})
	}, nil
}
