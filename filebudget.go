package main

import (
	"fmt"

	"sseload/scenarios"
)

// fileHeadroom is what the process holds besides client sockets: stdio, the
// netpoller, result files, listeners.
const fileHeadroom = 64

// fileBudgetWarning says, before a run starts, when the open-file limit cannot
// give every HTTP/1.1 client its socket, so that "out of file descriptors" errors
// later are expected rather than a mystery. HTTP/2 needs a socket per connection,
// not per client, so it is not checked. An embedded server holds the other end of
// each connection in the same process.
func fileBudgetWarning(sc scenarios.Scenario, limit uint64, embedded bool) string {
	if limit == 0 || sc.Protocol != scenarios.ProtocolH1 {
		return ""
	}
	need := uint64(sc.Clients)
	if embedded {
		need *= 2
	}
	need += fileHeadroom
	if need <= limit {
		return ""
	}
	where := ""
	if embedded {
		where = " (the embedded server holds the other end of each connection in this process)"
	}
	return fmt.Sprintf("--clients %d needs about %d open files%s, but the limit is %d: "+
		"clients beyond it fail with \"out of file descriptors\"; raise the hard limit "+
		"(ulimit -Hn, systemd LimitNOFILE) or split the clients over several processes",
		sc.Clients, need, where, limit)
}
