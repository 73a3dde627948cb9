package harness

import (
	"context"

	"github.com/challenge-perf/challenge-perf/targets"
)

// internalAddrs are the API's base URL and the handler's gRPC address on the stack network, at the
// ports the target's profile names.
func internalAddrs(tg targets.Target, basePath string) (apiURL, grpcAddr string) {
	apiURL = "http://" + AliasService + ":" + targets.PortNumber(tg.Service.APIPort) + basePath
	grpcAddr = AliasHandler + ":" + targets.PortNumber(tg.Handler.GRPCPort)
	return apiURL, grpcAddr
}

// opsURL is the program's ops root from the host, "" when its profile names no ops port.
func opsURL(ctx context.Context, p *ProgramContainer, prog targets.Program) (string, error) {
	if prog.OpsPort == "" {
		return "", nil
	}
	return p.URL(ctx, prog.OpsPort)
}
