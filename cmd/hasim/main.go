// Hasim simulates Kubernetes control-plane high availability: etcd
// quorums under crashes, pauses, partitions and slow disks, on a virtual
// clock, deterministically.
//
// Usage:
//
//	hasim run [flags] [NAME|FILE|-]   run a scenario, narrate it, summarize it
//	hasim compare NAME|FILE ...       compare scenarios over many seeds
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
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// streams are the command's standard streams.
type streams struct {
	in       io.Reader
	out, err io.Writer
}
