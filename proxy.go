package main

import (
	"fmt"
	"net"
	"time"

	"github.com/spf13/cobra"

	"sseload/chaos"
	"sseload/human"
)

func newProxyCmd() *cobra.Command {
	var listen, target string
	var specs []string
	cmd := &cobra.Command{
		Use:   "proxy --target HOST:PORT --fault SPEC…",
		Short: "A TCP proxy that injects network faults on a timeline (sseload run --chaos puts one in a run)",
		Long: `proxy forwards TCP connections from --listen to --target and applies each --fault
at its time since the proxy started:

  AT:cut=50%[:rst]        end that share of the open connections (FIN, or RST with :rst)
  AT:cut-event=20%        the same, each in the middle of its next event (after the
                          first byte of a data: line)
  AT:blackhole=5s         forward nothing either way for 5s; the sockets stay open
                          (a half-dead connection; clients notice only with --idle-timeout)
  AT:refuse=3s            reset new connections for 3s (a server restart as clients see it)
  AT:latency=50ms[:FOR]   delay each direction by 50ms, for FOR or to the end
  AT:jitter=20ms[:FOR]    delay each chunk by up to 20ms more, at random (order kept)
  AT:bandwidth=64KB/s[:FOR]  cap each connection's each direction at 64 KB/s
  AT:stall-down=3s        forward nothing from the server for 3s (the client's bytes go)
  AT:stall-up=3s          forward nothing from the client for 3s (the server's bytes go)

It forwards bytes and does not terminate TLS, so it serves HTTP/1.1, h2 over TLS
and h2c. Each fault is printed as it is applied; Ctrl-C stops the proxy.`,
		Example: `  sseload proxy --target 127.0.0.1:8080 --fault 10s:cut=50%:rst --fault 30s:blackhole=5s
  sseload run http://127.0.0.1:9000/events --idle-timeout 2s   # through it`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if target == "" {
				return fmt.Errorf("--target: the address to forward to, e.g. 127.0.0.1:8080")
			}
			if _, _, err := net.SplitHostPort(target); err != nil {
				return fmt.Errorf("--target %q: want HOST:PORT", target)
			}
			if host, _, err := net.SplitHostPort(listen); err != nil || !isLoopback(host) {
				return fmt.Errorf("--listen %q: %w", listen, chaos.ErrNotLoopback)
			}
			var faults []chaos.Fault
			for _, s := range specs {
				f, err := chaos.ParseFault(s)
				if err != nil {
					return fmt.Errorf("--fault: %w", err)
				}
				faults = append(faults, f)
			}
			p, err := chaos.New(listen, target, faults)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "sseload proxy: %s → %s, %d faults\n", p.Addr(), target, len(faults))
			ctx := cmd.Context()
			p.Start(ctx)
			printed := 0
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					p.Close()
					s := p.Stats()
					fmt.Fprintf(out, "sseload proxy: stopped: proxied %s connections, refused %s, cut %s\n",
						human.Count(s.Accepted), human.Count(s.Refused), human.Count(s.Cut))
					return nil
				case <-tick.C:
				}
				tl := p.Timeline()
				for _, a := range tl[printed:] {
					fmt.Fprintf(out, "[%6s] %s", human.Duration(a.At), a.Fault)
					if a.Fault.Kind == chaos.Cut || a.Fault.Kind == chaos.CutEvent {
						fmt.Fprintf(out, ": %s connections", human.Count(int64(a.Affected)))
					}
					fmt.Fprintln(out)
				}
				printed = len(tl)
			}
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:9000", "loopback address to listen on (port 0: any)")
	f.StringVar(&target, "target", "", "HOST:PORT to forward to")
	f.StringArrayVar(&specs, "fault", nil, "a fault AT:KIND[=VALUE][:OPTION], repeatable (see above)")
	return cmd
}
