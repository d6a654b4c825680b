// Hasim simulates Kubernetes control-plane high availability: etcd
// quorums under crashes, pauses, partitions and slow disks, on a virtual
// clock, deterministically.
//
// Usage:
//
//	hasim run [flags] [NAME|FILE|-]   run a scenario, narrate it, summarize it
//	hasim compare NAME|FILE ...       compare scenarios over many seeds
//	hasim sweep SWEEP|NAME|FILE       run a parameter study (merge, job: shards)
//	hasim recommend RESULTS-FILE      targets, Pareto front and a recommendation
//	hasim validate FILE...            check scenario files without running them
//	hasim scenarios list              list the built-in scenarios
//	hasim scenarios show NAME         print a built-in scenario's YAML
//	hasim version                     print the version
//
// Run "hasim help VERB" or "hasim VERB --help" for a verb's flags and
// examples. Exit codes: 0 success, 1 failure (including a broken safety
// invariant, which is a bug in hasim), 2 usage or validation error, 130
// interrupted.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"hasim/internal/gctune"
)

func main() {
	gctune.Apply()
	ctx, cancel := context.WithCancel(context.Background())
	handleInterrupts(cancel, os.Stderr, os.Exit)
	os.Exit(realMain(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// handleInterrupts makes the first SIGINT (Ctrl-C) or SIGTERM cancel the
// command's context, so that whatever it is doing (reading, building,
// running, writing) stops and it reports what it has; a second one exits
// at once with code 130, even if something is stuck. The handler stays
// installed until the process exits, so that a late signal never kills it
// with a signal status instead of its exit code.
func handleInterrupts(cancel context.CancelFunc, errw io.Writer, exit func(int)) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		fmt.Fprintf(errw, "hasim: %v: stopping (interrupt again to exit at once)\n", sig)
		cancel()
		sig = <-sigs
		fmt.Fprintf(errw, "hasim: %v again: exiting at once\n", sig)
		exit(exitInterrupted)
	}()
}

// streams are the command's standard streams.
type streams struct {
	in  io.Reader
	out *output
	err io.Writer
}
