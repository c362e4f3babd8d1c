package integration

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"weave.works/weave/integration/scenario"
)

// TestMeshSubnets: weavemesh networks with --subnet and --ip-range inside the range get
// addresses there; a subnet outside the range, or overlapping another network's, is
// refused with a message that says what to do.
func TestMeshSubnets(t *testing.T) {
	ctx, c, _ := meshCluster(t, 1, 3*time.Minute)
	h := c.Hosts()[0]
	create := func(name string, args ...string) (string, error) {
		a := append([]string{"network", "create", "-d", "weavemesh", "--ipam-driver",
			"weavemesh"}, args...)
		return h.Docker(ctx, append(a, name)...)
	}
	_, err := create("sub1", "--subnet", "10.33.0.0/16", "--ip-range", "10.33.7.0/24")
	if err != nil {
		t.Fatal(err)
	}
	ct, err := scenario.Run(ctx, h, "insub", "sub1")
	if err != nil {
		t.Fatal(err)
	}
	if !netip.MustParsePrefix("10.33.7.0/24").Contains(ct.IP) {
		t.Errorf("container on sub1 got %s, outside its --ip-range 10.33.7.0/24", ct.IP)
	}
	for _, bad := range []struct{ subnet, want string }{
		{"10.33.1.0/24", "overlaps subnet 10.33.0.0/16"},
		{"10.99.0.0/24", "outside the weave range"},
	} {
		_, err := create("bad", "--subnet", bad.subnet)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("--subnet %s: %v; want an error saying %q", bad.subnet, err, bad.want)
		}
	}
	if _, err := h.Docker(ctx, "rm", "-f", "insub"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Docker(ctx, "network", "rm", "sub1"); err != nil {
		t.Fatal(err)
	}
	if _, err := create("sub2", "--subnet", "10.33.1.0/24"); err != nil {
		t.Errorf("a subnet free again after its overlapping network went: %v", err)
	}
}
