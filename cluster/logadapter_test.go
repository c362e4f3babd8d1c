package cluster

import (
	"log/slog"
	"testing"
)

func TestParseLogLine(t *testing.T) {
	tests := []struct {
		in   string
		want logLine
	}{
		{"[DEBUG] memberlist: Stream connection from=10.0.0.2:4000\n",
			logLine{level: slog.LevelDebug, msg: "stream connection", from: "10.0.0.2:4000"}},
		{"[INFO] memberlist: Suspect peer-2 has failed, no acks received",
			logLine{level: slog.LevelInfo, msg: "suspect peer-2 has failed, no acks received"}},
		{"[WARN] memberlist: Refuting a suspect message (from: peer-2)",
			logLine{level: slog.LevelWarn, msg: "refuting a suspect message (from",
				detail: "peer-2)"}},
		{"[ERR] memberlist: Failed to send gossip to 10.0.0.2:6783: write: refused",
			logLine{level: slog.LevelError, msg: "failed to send gossip to 10.0.0.2:6783",
				detail: "write: refused"}},
		{"[ERR] memberlist: Decrypt packet failed: no installed keys could decrypt " +
			"the message from=10.0.0.3:6783",
			logLine{level: slog.LevelWarn, msg: "decrypt packet failed",
				detail: "no installed keys could decrypt the message", from: "10.0.0.3:6783"}},
		{"[ERR] memberlist: failed to receive: encryption is configured but remote " +
			"state is not encrypted from=10.0.0.3:5000",
			logLine{level: slog.LevelWarn, msg: "failed to receive",
				detail: "encryption is configured but remote state is not encrypted",
				from:   "10.0.0.3:5000"}},
		{"[ERROR] memberlist: Failed to encrypt local state: bad key",
			logLine{level: slog.LevelError, msg: "failed to encrypt local state",
				detail: "bad key"}},
		{"[ERR] memberlist: UDP packet too short (0 bytes) from=10.0.0.3:1",
			logLine{level: slog.LevelError, msg: "UDP packet too short (0 bytes)",
				from: "10.0.0.3:1"}},
		{"[ERR] Failed to shutdown transport: closed",
			logLine{level: slog.LevelError, msg: "failed to shutdown transport",
				detail: "closed"}},
		{"no brackets at all", logLine{level: slog.LevelInfo, msg: "no brackets at all"}},
		{"[WARN] memberlist: ", logLine{level: slog.LevelWarn, msg: "memberlist"}},
	}
	for _, tt := range tests {
		if got := parseLogLine(tt.in); got != tt.want {
			t.Errorf("parseLogLine(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
		}
	}
}

func TestMemberlistLoggerWritesSlog(t *testing.T) {
	store := newLogStore(t)
	l := newMemberlistLogger(slog.New(&logHandler{store: store}))
	l.Printf("[WARN] memberlist: Got ping for unexpected node %s from=%s", "x", "10.0.0.9:1")
	ok := store.find(func(e logEntry) bool {
		return e.level == slog.LevelWarn && e.msg == "got ping for unexpected node x" &&
			e.attrs["from"] == "10.0.0.9:1" && e.attrs["component"] == "memberlist"
	})
	if !ok {
		t.Fatalf("no matching record in %+v", store.entries)
	}
}
