package cluster

import (
	"context"
	"log"
	"log/slog"
	"strings"
	"unicode"
	"unicode/utf8"
)

// memberlist writes lines such as
//
//	[WARN] memberlist: Refuting a suspect message (from: peer-2)
//	[ERR] memberlist: Decrypt packet failed: No installed keys could decrypt
//	  the message from=10.0.0.2:6783 (one line)
//
// to a *log.Logger. The adapter turns each into one slog record: the level
// from the bracket, the message from the text before the first ": " with its
// first letter lowercased, the rest under "detail" and a trailing
// "from=host:port" under "from". Every record carries component=memberlist.

// remoteFaults are markers of ERR lines that report what a remote peer sent,
// not a fault of ours. A peer with another password produces them on every
// packet; they are warnings.
var remoteFaults = []string{
	"decrypt",
	"is not encrypted",
	"encryption is not configured",
	"unacceptable label",
}

// logLine is one parsed memberlist line.
type logLine struct {
	level  slog.Level
	msg    string
	detail string
	from   string
}

// newMemberlistLogger returns the *log.Logger to give memberlist and its
// transport, writing into l.
func newMemberlistLogger(l *slog.Logger) *log.Logger {
	return log.New(&logWriter{log: l.With("component", "memberlist")}, "", 0)
}

// logWriter receives one memberlist line per Write.
type logWriter struct {
	log *slog.Logger
}

// Write logs the line in p and never fails.
func (w *logWriter) Write(p []byte) (int, error) {
	line := parseLogLine(string(p))
	ctx := context.Background()
	if !w.log.Enabled(ctx, line.level) {
		return len(p), nil
	}
	attrs := make([]slog.Attr, 0, 2)
	if line.detail != "" {
		attrs = append(attrs, slog.String("detail", line.detail))
	}
	if line.from != "" {
		attrs = append(attrs, slog.String("from", line.from))
	}
	w.log.LogAttrs(ctx, line.level, line.msg, attrs...)
	return len(p), nil
}

// parseLogLine splits one memberlist line into level, message and details.
func parseLogLine(s string) logLine {
	s = strings.TrimSpace(s)
	line := logLine{level: slog.LevelInfo}
	if rest, ok := strings.CutPrefix(s, "["); ok {
		if level, text, ok := strings.Cut(rest, "] "); ok {
			line.level = parseLevel(level)
			s = text
		}
	}
	s = strings.TrimSpace(strings.TrimPrefix(s, "memberlist:"))
	if i := strings.LastIndex(s, " from="); i >= 0 && !strings.Contains(s[i+1:], " ") {
		line.from = s[i+len(" from="):]
		s = strings.TrimSpace(s[:i])
	}
	msg, detail, _ := strings.Cut(s, ": ")
	line.msg = lowerFirst(strings.TrimSpace(msg))
	line.detail = strings.TrimSpace(detail)
	if line.level == slog.LevelError && isRemoteFault(s) {
		line.level = slog.LevelWarn
	}
	if line.msg == "" {
		line.msg = "memberlist"
	}
	return line
}

func parseLevel(s string) slog.Level {
	switch s {
	case "DEBUG", "TRACE":
		return slog.LevelDebug
	case "WARN", "WARNING":
		return slog.LevelWarn
	case "ERR", "ERROR":
		return slog.LevelError
	}
	return slog.LevelInfo
}

func isRemoteFault(s string) bool {
	s = strings.ToLower(s)
	for _, m := range remoteFaults {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// lowerFirst lowercases the first letter of s unless it starts an acronym
// ("UDP packet too short" stays as it is).
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if !unicode.IsUpper(r) {
		return s
	}
	if next, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
