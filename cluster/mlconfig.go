package cluster

import (
	"crypto/sha256"
	"fmt"
	"log"

	"github.com/hashicorp/memberlist"
)

// openTransport returns cfg's transport, or opens memberlist's UDP and TCP
// one on BindAddr and Port. owned says whether we opened it, and so must
// close it if New fails.
func openTransport(cfg Config, logger *log.Logger) (memberlist.Transport, bool, error) {
	if cfg.Transport != nil {
		return cfg.Transport, false, nil
	}
	bind := cfg.BindAddr
	if bind == "" {
		bind = "0.0.0.0"
	}
	nt, err := memberlist.NewNetTransport(&memberlist.NetTransportConfig{
		BindAddrs: []string{bind},
		BindPort:  cfg.Port,
		Logger:    logger,
	})
	if err != nil {
		return nil, false, fmt.Errorf("listen for gossip on %s port %d: %w", bind, cfg.Port, err)
	}
	return nt, true, nil
}

// gossipKey derives the AES-256 key from a password.
func gossipKey(password string) []byte {
	k := sha256.Sum256([]byte(password))
	return k[:]
}

// memberlistConfig starts from memberlist's LAN profile. The timing values
// come from Config.Timing, whose DefaultTiming says which of them differ
// from the LAN profile and why; everything else here is identity, wiring, or
// encryption.
func (c *Cluster) memberlistConfig(tr memberlist.Transport, logger *log.Logger) *memberlist.Config {
	mc := memberlist.DefaultLANConfig()
	mc.Name = c.cfg.Name
	mc.Transport = tr
	mc.Logger = logger

	// The transport is bound already; the advertised address is the one it
	// reported, so that memberlist announces what our metadata says.
	mc.BindPort = int(c.advPort)
	mc.AdvertiseAddr = c.self.Addr.String()
	mc.AdvertisePort = int(c.advPort)

	t := c.cfg.Timing
	mc.ProbeInterval = t.ProbeInterval
	mc.ProbeTimeout = t.ProbeTimeout
	mc.SuspicionMult = t.SuspicionMult
	mc.GossipInterval = t.GossipInterval
	mc.PushPullInterval = t.PushPullInterval
	mc.TCPTimeout = t.TCPTimeout
	mc.GossipToTheDeadTime = t.GossipToTheDead
	mc.DeadNodeReclaimTime = t.DeadNodeReclaim

	d := &delegate{c: c}
	mc.Delegate = d
	mc.Events = d
	mc.Ping = d

	// With a password every packet and stream is encrypted, and memberlist
	// refuses plain ones in both directions (GossipVerifyIncoming and
	// GossipVerifyOutgoing are on in the LAN profile and stay on).
	if c.cfg.Password != "" {
		mc.SecretKey = gossipKey(c.cfg.Password)
	}
	return mc
}
