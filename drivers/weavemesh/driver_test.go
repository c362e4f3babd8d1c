package weavemesh

import (
	"errors"
	"strings"
	"testing"

	"github.com/docker/go-plugins-helpers/network"
)

func createNet(t *testing.T, d *Driver, id string, multicast bool) {
	t.Helper()
	opts := map[string]any{genericOptions: map[string]any{}}
	if multicast {
		opts[genericOptions] = map[string]any{OptionMulticast: "true"}
	}
	req := &network.CreateNetworkRequest{NetworkID: id, Options: opts}
	if err := d.CreateNetwork(req); err != nil {
		t.Fatal(err)
	}
}

func createEP(t *testing.T, d *Driver, nid, eid, addr string) *network.CreateEndpointResponse {
	t.Helper()
	r, err := d.CreateEndpoint(&network.CreateEndpointRequest{NetworkID: nid, EndpointID: eid,
		Interface: &network.EndpointInterface{Address: addr}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEndpointLifecycle(t *testing.T) {
	d, fp := newTestDriver(t, t.TempDir())
	createNet(t, d, "net1", true)
	r := createEP(t, d, "net1", "ep000001", "10.32.0.2/12")
	if r.Interface.MacAddress == "" || r.Interface.Address != "" {
		t.Errorf("CreateEndpoint must answer only the MAC: %+v", r.Interface)
	}
	j, err := d.Join(&network.JoinRequest{NetworkID: "net1", EndpointID: "ep000001",
		SandboxKey: "/var/run/docker/netns/1"})
	if err != nil {
		t.Fatal(err)
	}
	if j.InterfaceName.SrcName != "vethwgep00" || j.InterfaceName.DstPrefix != "ethwe" {
		t.Errorf("Join interface: %+v", j.InterfaceName)
	}
	if len(j.StaticRoutes) != 1 || j.StaticRoutes[0].Destination != "224.0.0.0/4" ||
		j.StaticRoutes[0].RouteType != routeConnected {
		t.Errorf("Join routes on a multicast network: %+v", j.StaticRoutes)
	}
	leave := &network.LeaveRequest{NetworkID: "net1", EndpointID: "ep000001"}
	if err := d.Leave(leave); err != nil {
		t.Fatal(err)
	}
	err = d.DeleteEndpoint(&network.DeleteEndpointRequest{
		NetworkID: "net1", EndpointID: "ep000001",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(fp.veths) != 0 {
		t.Errorf("veths left after DeleteEndpoint: %v", fp.veths)
	}
}

func TestMulticastOnOneNetworkOnly(t *testing.T) {
	d, _ := newTestDriver(t, t.TempDir())
	createNet(t, d, "m1", true)
	createNet(t, d, "m2", true)
	createNet(t, d, "plain", false)
	createEP(t, d, "m1", "epa00001", "10.32.0.2/12")
	createEP(t, d, "m2", "epb00001", "10.32.0.3/12")
	createEP(t, d, "plain", "epc00001", "10.32.0.4/12")
	sb := "/var/run/docker/netns/abc"
	if _, err := d.Join(&network.JoinRequest{EndpointID: "epa00001", SandboxKey: sb}); err != nil {
		t.Fatal(err)
	}
	_, err := d.Join(&network.JoinRequest{EndpointID: "epb00001", SandboxKey: sb})
	if err == nil || !strings.Contains(err.Error(), "one network only") {
		t.Errorf("second multicast network in one container: %v", err)
	}
	j, err := d.Join(&network.JoinRequest{EndpointID: "epc00001", SandboxKey: sb})
	if err != nil || len(j.StaticRoutes) != 0 {
		t.Errorf("a network without multicast: %+v, %v", j, err)
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	d, _ := newTestDriver(t, dir)
	createNet(t, d, "net1", true)
	createEP(t, d, "net1", "ep000001", "10.32.0.2/12")
	d.Close()

	d2, _ := newTestDriver(t, dir)
	if n := d2.Networks(); len(n) != 1 || !n[0].Options.Multicast {
		t.Errorf("networks after restart: %+v", n)
	}
	if e := d2.Endpoints(); len(e) != 1 || e[0].Address != "10.32.0.2/12" {
		t.Errorf("endpoints after restart: %+v", e)
	}
	join := &network.JoinRequest{EndpointID: "ep000001", SandboxKey: "s"}
	if _, err := d2.Join(join); err != nil {
		t.Errorf("join after restart: %v", err)
	}
}

func TestCreateEndpointFailureLeavesNothing(t *testing.T) {
	d, fp := newTestDriver(t, t.TempDir())
	createNet(t, d, "net1", false)
	fp.fail = errors.New("no space on device")
	_, err := d.CreateEndpoint(&network.CreateEndpointRequest{NetworkID: "net1",
		EndpointID: "ep000001", Interface: &network.EndpointInterface{Address: "10.32.0.2/12"}})
	if err == nil || !strings.Contains(err.Error(), "no space") {
		t.Fatalf("want the data path's error, got %v", err)
	}
	if len(d.Endpoints()) != 0 {
		t.Errorf("a failed endpoint was recorded: %+v", d.Endpoints())
	}
}

func TestParseNetworkOptions(t *testing.T) {
	cases := []struct {
		name    string
		opts    map[string]any
		want    NetworkOptions
		wantErr string
	}{
		{"nil", nil, NetworkOptions{}, ""},
		{"empty generic", map[string]any{genericOptions: map[string]any{}}, NetworkOptions{}, ""},
		{"true", map[string]any{genericOptions: map[string]any{OptionMulticast: "true"}},
			NetworkOptions{Multicast: true}, ""},
		{"bare flag", map[string]any{genericOptions: map[string]any{OptionMulticast: ""}},
			NetworkOptions{Multicast: true}, ""},
		{"false", map[string]any{genericOptions: map[string]any{OptionMulticast: "0"}},
			NetworkOptions{}, ""},
		{"others ignored", map[string]any{genericOptions: map[string]any{"com.x": "1"}},
			NetworkOptions{}, ""},
		{"bad value", map[string]any{genericOptions: map[string]any{OptionMulticast: "yes!"}},
			NetworkOptions{}, "not true or false"},
		{"unknown", map[string]any{genericOptions: map[string]any{"works.weave.mtu": "1"}},
			NetworkOptions{}, "unknown option works.weave.mtu"},
		{"not a map", map[string]any{genericOptions: "x"}, NetworkOptions{}, "map of strings"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseNetworkOptions(tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
