// Command sseload load-tests and benchmarks Server-Sent Events servers.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the command line and maps its error to an exit code.
func run(args []string) int {
	// The first signal cancels ctx (graceful: results are written, marked partial);
	// stop() then restores the default so a second Ctrl-C kills.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()

	root := newRootCmd()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	return exitCodeTo(os.Stderr, err)
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
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newRunCmd(), newServeCmd(), newTailCmd(), newReportCmd(), newMergeCmd())
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
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(w, "sseload:", ee.err)
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
