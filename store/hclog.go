package store

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/go-hclog"
)

// hclogAdapter turns hashicorp/raft's hclog calls into slog records: the
// message with its first letter lowercased, the key/value pairs with keys
// in snake_case ("leader-address" becomes "leader_address"), and
// component=raft (with the sub-logger's name, if any, under "logger").
type hclogAdapter struct {
	l    *slog.Logger
	name string
	args []any
}

// newHCLog returns an hclog.Logger writing to l.
func newHCLog(l *slog.Logger) hclog.Logger {
	return &hclogAdapter{l: l.With("component", "raft")}
}

var levels = map[hclog.Level]slog.Level{
	hclog.Trace: slog.LevelDebug - 4,
	hclog.Debug: slog.LevelDebug,
	hclog.Info:  slog.LevelInfo,
	hclog.Warn:  slog.LevelWarn,
	hclog.Error: slog.LevelError,
}

// Log writes one record at level.
func (h *hclogAdapter) Log(level hclog.Level, msg string, args ...any) {
	lv, ok := levels[level]
	if !ok {
		lv = slog.LevelInfo
	}
	if !h.l.Enabled(context.Background(), lv) {
		return
	}
	attrs := make([]any, 0, len(h.args)+len(args)+2)
	if h.name != "" {
		attrs = append(attrs, "logger", h.name)
	}
	attrs = append(attrs, pairs(h.args)...)
	attrs = append(attrs, pairs(args)...)
	h.l.Log(context.Background(), lv, lowerFirst(msg), attrs...)
}

// pairs normalises hclog's alternating keys and values into slog's; a
// dangling value gets the key "extra".
func pairs(args []any) []any {
	out := make([]any, 0, len(args))
	for i := 0; i < len(args); i += 2 {
		if i+1 == len(args) {
			out = append(out, "extra", fmt.Sprint(args[i]))
			break
		}
		key := strings.NewReplacer("-", "_", " ", "_").Replace(fmt.Sprint(args[i]))
		v := args[i+1]
		switch t := v.(type) {
		case error:
			v = t.Error()
		case hclog.Format:
			if len(t) > 0 {
				f, _ := t[0].(string)
				v = fmt.Sprintf(f, t[1:]...)
			}
		}
		out = append(out, key, v)
	}
	return out
}

// lowerFirst lowercases the first letter, unless the first word is an
// acronym ("RPC", "FSM").
func lowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 || !unicode.IsUpper(r) {
		return s
	}
	if next, _ := utf8.DecodeRuneInString(s[size:]); unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToLower(r)) + s[size:]
}

func (h *hclogAdapter) Trace(msg string, args ...any) { h.Log(hclog.Trace, msg, args...) }
func (h *hclogAdapter) Debug(msg string, args ...any) { h.Log(hclog.Debug, msg, args...) }
func (h *hclogAdapter) Info(msg string, args ...any)  { h.Log(hclog.Info, msg, args...) }
func (h *hclogAdapter) Warn(msg string, args ...any)  { h.Log(hclog.Warn, msg, args...) }
func (h *hclogAdapter) Error(msg string, args ...any) { h.Log(hclog.Error, msg, args...) }

func (h *hclogAdapter) enabled(l hclog.Level) bool {
	return h.l.Enabled(context.Background(), levels[l])
}

func (h *hclogAdapter) IsTrace() bool { return h.enabled(hclog.Trace) }
func (h *hclogAdapter) IsDebug() bool { return h.enabled(hclog.Debug) }
func (h *hclogAdapter) IsInfo() bool  { return h.enabled(hclog.Info) }
func (h *hclogAdapter) IsWarn() bool  { return h.enabled(hclog.Warn) }
func (h *hclogAdapter) IsError() bool { return h.enabled(hclog.Error) }

// ImpliedArgs returns the pairs added by With.
func (h *hclogAdapter) ImpliedArgs() []any { return h.args }

// With returns a logger that adds args to every record.
func (h *hclogAdapter) With(args ...any) hclog.Logger {
	c := *h
	c.args = append(append([]any{}, h.args...), args...)
	return &c
}

// Name returns the sub-logger's name.
func (h *hclogAdapter) Name() string { return h.name }

// Named returns a sub-logger whose name is appended to this one's.
func (h *hclogAdapter) Named(name string) hclog.Logger {
	c := *h
	if c.name != "" {
		name = c.name + "." + name
	}
	c.name = name
	return &c
}

// ResetNamed returns a sub-logger with exactly name.
func (h *hclogAdapter) ResetNamed(name string) hclog.Logger {
	c := *h
	c.name = name
	return &c
}

// SetLevel does nothing: the slog handler decides what is written.
func (h *hclogAdapter) SetLevel(hclog.Level) {}

// GetLevel reports the most verbose level the handler accepts.
func (h *hclogAdapter) GetLevel() hclog.Level {
	for _, l := range []hclog.Level{hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn} {
		if h.enabled(l) {
			return l
		}
	}
	return hclog.Error
}

// StandardLogger returns a *log.Logger whose lines become info records.
func (h *hclogAdapter) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	return log.New(h.StandardWriter(opts), "", 0)
}

// StandardWriter returns a writer whose lines become info records.
func (h *hclogAdapter) StandardWriter(*hclog.StandardLoggerOptions) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		h.Info(strings.TrimSpace(string(p)))
		return len(p), nil
	})
}

type writerFunc func([]byte) (int, error)

func (w writerFunc) Write(p []byte) (int, error) { return w(p) }
