package scenario

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"weave.works/weave/integration/harness"
)

// Container is a busybox container on a host.
type Container struct {
	Host *harness.Host
	Name string
	IP   netip.Addr // on the network it was started on
}

// echoPort is where every container answers TCP with its hostname.
const echoPort = "7000"

// Run starts a detached busybox container on h on network, with extra docker run flags.
// It serves its hostname on TCP echoPort so that TCP reachability can be checked.
func Run(ctx context.Context, h *harness.Host, name, network string,
	extra ...string) (Container, error) {
	args := append([]string{"run", "-d", "--name", name, "--hostname", name,
		"--network", network}, extra...)
	args = append(args, "busybox", "nc", "-ll", "-p", echoPort, "-e", "/bin/hostname")
	if _, err := h.Docker(ctx, args...); err != nil {
		return Container{}, err
	}
	c := Container{Host: h, Name: name}
	ip, err := c.Addr(ctx, network)
	if err != nil {
		return c, err
	}
	c.IP = ip
	return c, nil
}

// Addr is the container's address on network, as Docker reports it.
func (c Container) Addr(ctx context.Context, network string) (netip.Addr, error) {
	out, err := c.Host.Docker(ctx, "inspect", "-f",
		fmt.Sprintf("{{(index .NetworkSettings.Networks %q).IPAddress}}", network), c.Name)
	if err != nil {
		return netip.Addr{}, err
	}
	ip, err := netip.ParseAddr(strings.TrimSpace(out))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("address of %s on %s: %q", c.Name, network, out)
	}
	return ip, nil
}

// Ping checks ICMP from c to ip, once.
func (c Container) Ping(ctx context.Context, ip netip.Addr) error {
	_, err := c.Host.Docker(ctx, "exec", c.Name, "ping", "-c", "1", "-W", "2", ip.String())
	return err
}

// TCP connects from c to the echo port of to and checks that to answers with its name.
func (c Container) TCP(ctx context.Context, to Container) error {
	out, err := c.Host.Docker(ctx, "exec", c.Name, "nc", "-w", "3", to.IP.String(), echoPort)
	if err != nil {
		return err
	}
	if strings.TrimSpace(out) != to.Name {
		return fmt.Errorf("%s:%s answered %q, want %q", to.IP, echoPort, out, to.Name)
	}
	return nil
}

// WaitMesh waits until every container pings and reaches over TCP every other one.
func WaitMesh(ctx context.Context, cs []Container, timeout time.Duration) error {
	for _, from := range cs {
		for _, to := range cs {
			if from.Name == to.Name {
				continue
			}
			what := fmt.Sprintf("%s (%s) reaches %s (%s)", from.Name, from.Host.Name,
				to.Name, to.IP)
			err := harness.WaitFor(ctx, timeout, what, func() (bool, error) {
				if err := from.Ping(ctx, to.IP); err != nil {
					return false, err
				}
				if err := from.TCP(ctx, to); err != nil {
					return false, err
				}
				return true, nil
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}
