// Command sseload load-tests and benchmarks Server-Sent Events servers.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the command line and maps its error to an exit code.
func run(args []string) int {
	ctx, stop := signalContext()
	defer stop()
	root := newRootCmd()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	return exitCodeTo(os.Stderr, err)
}

// signalError is the cause of a context canceled by a signal.
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return "interrupted by " + signalName(e.sig) }

// exitCode is the shell's convention for a process ended by the signal: 128+n
// (130 for SIGINT, 143 for SIGTERM).
func (e signalError) exitCode() int {
	if n, ok := e.sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 130
}

func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// signalContext returns a context the first SIGINT or SIGTERM cancels with a
// signalError (graceful: results are written, marked partial). A second one
// exits at once, after lastWords has written what it can (a result from the
// last snapshot), with the signal's status.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		defer signal.Stop(ch)
		for first := true; ; first = false {
			select {
			case sig := <-ch:
				if first {
					cancel(signalError{sig})
					continue
				}
				if f := lastWords.Load(); f != nil {
					(*f)()
				}
				fmt.Fprintf(os.Stderr, "sseload: %s again: exiting at once\n", signalName(sig))
				os.Exit(signalError{sig}.exitCode())
			case <-done:
				return
			}
		}
	}()
	return ctx, func() {
		close(done)
		cancel(nil)
	}
}

// lastWords, when set, writes what a run can before a second signal ends the
// process.
var lastWords atomic.Pointer[func()]

// interruptCode is the exit code of a run ctx's signal ended: 128+n, or 130
// (SIGINT's) when no signal did (Ctrl-C in the dashboard).
func interruptCode(ctx context.Context) int {
	var se signalError
	if errors.As(context.Cause(ctx), &se) {
		return se.exitCode()
	}
	return 130
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "sseload",
		Short: "Load-test and benchmark Server-Sent Events servers",
		Long: `sseload opens thousands of concurrent EventSource clients over HTTP/1.1 or HTTP/2,
drops their connections on purpose, checks that every stream resumes correctly from
Last-Event-ID, and records latency in HDR histograms.

Start with "sseload run": with no URL it starts the embedded reference server and runs a
short quickstart against it.`,
		Version:       buildVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newRunCmd(), newServeCmd(), newTailCmd(), newReportCmd(), newMergeCmd(), newCompareCmd(), newValidateCmd(), newCapacityCmd(), newProtocolsCmd(), newProxyCmd())
	return root
}

// exitError carries a specific exit code from a command to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCodeTo prints err as one line on w and returns the exit code it calls for.
func exitCodeTo(w io.Writer, err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		// err, not ee: a wrapper around ee (redactedError) tells it as it should.
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(w, "sseload:", err)
		}
		return ee.code
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok && len(joined.Unwrap()) > 1 {
		errs := joined.Unwrap()
		fmt.Fprintf(w, "sseload: %d problems:\n", len(errs))
		for _, e := range errs {
			fmt.Fprintln(w, "  "+describe(e))
		}
		return 1
	}
	fmt.Fprintln(w, "sseload:", describe(err))
	return 1
}
