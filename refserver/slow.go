package refserver

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// SlowPolicy is what the server does with a subscriber that falls behind its
// topic: past Queue events behind, "block" (the default) keeps every event for
// it (its writes wait, its latency grows), "drop" skips the oldest so it is
// never more than Queue behind (gaps in its sequence), and "disconnect" ends
// its stream, as does a write blocked for WriteTimeout.
type SlowPolicy struct {
	Policy string `yaml:"policy" json:"policy"`
	// Queue is how many events a subscriber may be behind; 0 = DefaultSlowQueue.
	Queue int `yaml:"queue" json:"queue"`
	// WriteTimeout ends a disconnect-policy stream whose write blocked this
	// long (a reader that stopped); 0 = DefaultSlowWriteTimeout.
	WriteTimeout time.Duration `yaml:"write_timeout" json:"write_timeout"`
	// SendBuffer sets each connection's socket send buffer, in bytes, so
	// that a slow reader backs the server up after that much rather than the
	// megabytes the kernel allows; 0 = the kernel's.
	SendBuffer int `yaml:"send_buffer" json:"send_buffer"`
}

// The slow policies.
const (
	SlowBlock      = "block"
	SlowDrop       = "drop"
	SlowDisconnect = "disconnect"
)

// Defaults of SlowPolicy's zero fields.
const (
	DefaultSlowQueue        = 64
	DefaultSlowWriteTimeout = time.Second
)

// errSlowClient ends a disconnect-policy stream that fell behind.
var errSlowClient = errors.New("refserver: subscriber too slow")

func (p SlowPolicy) withDefaults() SlowPolicy {
	if p.Policy == "" {
		p.Policy = SlowBlock
	}
	if p.Queue == 0 {
		p.Queue = DefaultSlowQueue
	}
	if p.WriteTimeout == 0 {
		p.WriteTimeout = DefaultSlowWriteTimeout
	}
	return p
}

func (p SlowPolicy) validate(add func(field string, value any, format string, args ...any)) {
	switch p.Policy {
	case "", SlowBlock, SlowDrop, SlowDisconnect:
	default:
		add("slow.policy", p.Policy, "want %s, %s or %s", SlowBlock, SlowDrop, SlowDisconnect)
	}
	if p.Queue < 0 {
		add("slow.queue", p.Queue, "must not be negative (0 = %d events)", DefaultSlowQueue)
	}
	if p.WriteTimeout < 0 {
		add("slow.write_timeout", p.WriteTimeout, "must not be negative (0 = %v)", DefaultSlowWriteTimeout)
	}
	if p.SendBuffer < 0 || p.SendBuffer > 64<<20 {
		add("slow.send_buffer", p.SendBuffer, "want 0 (the kernel's) up to 64 MiB")
	}
}

// behind applies the policy to a stream lag events behind its topic before a
// batch: the events to skip (drop), or errSlowClient (disconnect).
func (p SlowPolicy) behind(lag int64) (skip int64, err error) {
	if lag <= int64(p.Queue) {
		return 0, nil
	}
	switch p.Policy {
	case SlowDrop:
		return lag - int64(p.Queue), nil
	case SlowDisconnect:
		return 0, fmt.Errorf("%w: %d events behind, more than the queue of %d", errSlowClient, lag, p.Queue)
	}
	return 0, nil
}

// writeDeadline bounds the writes of a disconnect-policy stream; nil otherwise.
func (p SlowPolicy) writeDeadline(rc *http.ResponseController) func() {
	if p.Policy != SlowDisconnect {
		return nil
	}
	return func() { _ = rc.SetWriteDeadline(time.Now().Add(p.WriteTimeout)) }
}

// sendBuffer sets a new connection's socket send buffer when the policy says.
func (p SlowPolicy) sendBuffer(c net.Conn) {
	if p.SendBuffer <= 0 {
		return
	}
	if t, ok := c.(*tls.Conn); ok {
		c = t.NetConn()
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(p.SendBuffer)
	}
}
