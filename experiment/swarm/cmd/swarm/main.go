// Command swarm runs hasim's swarm: N random valid scenarios, each with the
// full invariant scan after every event, in parallel; it prints progress to
// standard error, a summary to standard output, writes every failing case
// and a minimal reproducer of each distinct failure under -out, and exits
// 1 if anything failed.
//
//	go run ./experiment/swarm/cmd/swarm -n 10000 -seed 1
//	go run ./experiment/swarm/cmd/swarm -replay out/swarm/panic-1a2b3c4d.yaml
//
// Ctrl-C stops the swarm and prints the summary of the cases done; a
// second Ctrl-C exits at once.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"time"

	"hasim/experiment/swarm"
	"hasim/scenarios"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("swarm", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 1000, "how many cases to run")
	first := fs.Int("first", 0, "the first case's index (with -n 1: run one case of a swarm again)")
	seed := fs.Uint64("seed", 1, "the swarm seed: the same seed draws the same cases")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "parallel runs (1 also measures the bytes each case allocates)")
	out := fs.String("out", "out/swarm", "directory for failing cases (cases/) and minimal reproducers")
	deadline := fs.Duration("deadline", 60*time.Second, "wall time after which a run counts as a hang")
	recheck := fs.Int("recheck", 10, "re-run every k-th case and compare the results (0: never)")
	shrink := fs.Int("shrink", 2, "shrink up to this many failing cases of each distinct failure")
	short := fs.Bool("short", false, "draw from the smaller ranges of the in-test swarm")
	print := fs.Bool("print", false, "print the cases' YAML instead of running them (with -first and -n)")
	replay := fs.Bool("replay", false, "run the scenario files given as arguments the way the swarm runs a case, and print how each ends")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: swarm [flags]\n       swarm -replay FILE...\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *replay {
		return replayFiles(fs.Args(), *deadline, stdout, stderr)
	}
	if fs.NArg() > 0 || *n < 0 || *first < 0 || *workers < 1 {
		fs.Usage()
		return 2
	}

	ranges := swarm.DefaultRanges()
	if *short {
		ranges = swarm.TestRanges()
	}
	if *print {
		for i := *first; i < *first+*n; i++ {
			fmt.Fprintf(stdout, "---\n# case %d of swarm seed %d\n%s", i, *seed, swarm.Marshal(swarm.Generate(*seed, i, &ranges)))
		}
		return 0
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt)
	go func() {
		<-sig
		fmt.Fprintln(stderr, "swarm: interrupted; finishing the summary (Ctrl-C again to exit at once)")
		cancel()
		<-sig
		os.Exit(130)
	}()

	s := swarm.Swarm(ctx, swarm.Config{Seed: *seed, First: *first, N: *n, Workers: *workers, Ranges: ranges, Deadline: *deadline,
		RecheckEvery: *recheck, ShrinkPerSignature: *shrink, Progress: stderr})
	if err := s.WriteReport(stdout); err != nil {
		fmt.Fprintf(stderr, "swarm: writing the summary: %v\n", err)
		return 1
	}
	paths, err := s.WriteFiles(*out)
	if err != nil {
		fmt.Fprintf(stderr, "swarm: writing reproducers: %v\n", err)
		return 1
	}
	if len(s.Failures) > 0 {
		fmt.Fprintf(stdout, "failing cases: %s/cases/\n", *out)
	}
	for _, p := range paths {
		fmt.Fprintf(stdout, "reproducer: %s\n", p)
	}
	switch {
	case len(s.Failures) > 0:
		return 1
	case s.Interrupted:
		return 130
	}
	return 0
}

// replayFiles runs each file as the swarm runs a case.
func replayFiles(files []string, deadline time.Duration, stdout, stderr io.Writer) int {
	if len(files) == 0 {
		fmt.Fprintln(stderr, "swarm -replay: want one or more scenario files")
		return 2
	}
	code := 0
	for _, f := range files {
		sc, err := scenarios.LoadFile(f, os.Stdin)
		if err != nil {
			fmt.Fprintln(stderr, err)
			code = max(code, 2)
			continue
		}
		o := swarm.RunCase(sc, swarm.RunOptions{Deadline: deadline})
		fmt.Fprintf(stdout, "%s: %s at %v after %d events (%v)\n", f, o.Signature(), o.At, o.Events, o.Wall.Round(time.Millisecond))
		if o.Failed() {
			fmt.Fprintf(stdout, "  %s\n", o.Detail)
			if o.Stack != "" {
				fmt.Fprintf(stdout, "%s\n", o.Stack)
			}
			code = max(code, 1)
		}
	}
	return code
}
