package load

// timeoutError is a phase's timeout: a net.Error that timed out, named by its
// phase so that Classify counts it in the phase's own class.
type timeoutError string

func (e timeoutError) Error() string { return string(e) }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// The timeouts of a connection's phases (scenarios.Timeouts).
var (
	errConnectTimeout error = timeoutError("connect timeout: no TCP connection and TLS handshake within --connect-timeout")
	errOpenTimeout    error = timeoutError("open timeout: no response head within --open-timeout of the request")
	errIdleTimeout    error = timeoutError("idle timeout: nothing received within --idle-timeout")
)
