package containers

import (
	"fmt"
	"net"
	"strconv"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
)

// WithFixedHostPort binds containerPort (e.g. "5432/tcp") to a free loopback port chosen now, so the
// address survives a Stop/Start of the container (outage tests reconnect to the same address).
func WithFixedHostPort(containerPort string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		p, err := network.ParsePort(containerPort)
		if err != nil {
			return err
		}
		free, err := freePort()
		if err != nil {
			return err
		}
		return testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			if hc.PortBindings == nil {
				hc.PortBindings = network.PortMap{}
			}
			hc.PortBindings[p] = []network.PortBinding{{HostPort: strconv.Itoa(free)}}
		})(req)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
