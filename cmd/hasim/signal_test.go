//go:build unix

package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// patience bounds every wait on the real binary; a test fails, rather
// than hangs, when hasim does not do what it should. It is no timing
// assertion: a healthy hasim answers far sooner.
const patience = 30 * time.Second

// buildHasim builds the command into a temporary directory.
func buildHasim(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hasim")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// lockedBuffer collects a stream that the test reads while it is written.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// process is a started hasim.
type process struct {
	cmd       *exec.Cmd
	out, errs *lockedBuffer
	done      chan struct{}
	waitErr   error
}

func start(t *testing.T, bin string, stdin io.Reader, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, args...), out: &lockedBuffer{}, errs: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = stdin, p.out, p.errs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// until waits for cond (or the process's exit, when exitOK); it fails
// the test after patience.
func (p *process) until(t *testing.T, what string, exitOK bool, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		select {
		case <-p.done:
			if exitOK {
				return
			}
			t.Fatalf("hasim exited while waiting for %s: %v\nstdout: %s\nstderr: %s", what, p.waitErr, p.out, p.errs)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %v\nstdout: %s\nstderr: %s", what, patience, p.out, p.errs)
		}
	}
}

// interrupt sends SIGINT; a process that has exited already is fine.
func (p *process) interrupt(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatal(err)
	}
}

// exitCode waits for the exit and returns its code.
func (p *process) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(patience):
		t.Fatalf("hasim did not exit within %v of the interrupt\nstdout: %s\nstderr: %s", patience, p.out, p.errs)
	}
	var ee *exec.ExitError
	if p.waitErr != nil && !errors.As(p.waitErr, &ee) {
		t.Fatal(p.waitErr)
	}
	return p.cmd.ProcessState.ExitCode() // -1 if a signal killed it
}

func exists(path string) func() bool {
	return func() bool { _, err := os.Stat(path); return err == nil }
}

// TestSignals runs the real binary and interrupts it (SIGINT, as Ctrl-C
// does) in each of its long phases.
func TestSignals(t *testing.T) {
	bin := buildHasim(t)

	// A run that would take hours: the picture's file is created just
	// before the run starts, which tells the test that it is running.
	t.Run("run", func(t *testing.T) {
		svg := filepath.Join(t.TempDir(), "run.svg")
		p := start(t, bin, nil, "run", "stacked-3-master-crash", "--until", "87000h", "-q", "--svg", svg)
		p.until(t, "the picture's file", false, exists(svg))
		p.interrupt(t)
		code := p.exitCode(t)
		errs := p.errs.String()
		if code != 130 || !strings.Contains(errs, "hasim: interrupt: stopping") || !strings.Contains(errs, "hasim run: interrupted at ") ||
			!strings.Contains(p.out.String(), "Summary of stacked-3-master-crash") {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, p.out, errs)
		}
		if st, err := os.Stat(svg); err != nil || st.Size() == 0 {
			t.Fatalf("no picture of the results so far: %v", err)
		}
	})

	// Runs over years, which skip their steady stretches: the progress
	// line tells the run is under way; an interrupt stops it there, as
	// it does a run that skips nothing.
	t.Run("run-years", func(t *testing.T) {
		p := start(t, bin, nil, "run", "years-stacked-3", "--until", "1000y", "-q", "--progress-every", "100ms")
		p.until(t, "a progress line", false, func() bool {
			return strings.Contains(p.errs.String(), "hasim run years-stacked-3: ") && strings.Contains(p.errs.String(), " of 1000.0y simulated (")
		})
		p.interrupt(t)
		code := p.exitCode(t)
		if errs := p.errs.String(); code != 130 || !strings.Contains(errs, "hasim run: interrupted at ") || !strings.Contains(p.out.String(), "Summary of years-stacked-3") {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, p.out, errs)
		}
	})
	t.Run("compare-years", func(t *testing.T) {
		p := start(t, bin, nil, "compare", "years-stacked-3", "years-single-master", "--until", "1000y", "--runs", "2", "--progress-every", "100ms")
		p.until(t, "a progress line", false, func() bool {
			return strings.Contains(p.errs.String(), "hasim compare: 0/4 runs done (")
		})
		p.interrupt(t)
		code := p.exitCode(t)
		if code != 130 || !strings.Contains(p.errs.String(), "hasim compare: interrupted") {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, p.out, p.errs)
		}
	})

	// Many runs of compare.
	t.Run("compare", func(t *testing.T) {
		png := filepath.Join(t.TempDir(), "compare.png")
		p := start(t, bin, nil, "compare", "stacked-3-master-crash", "etcd-leader-kill", "--runs", "100000", "--workers", "2", "--png", png)
		p.until(t, "the picture's file", false, exists(png))
		p.interrupt(t)
		code := p.exitCode(t)
		if code != 130 || !strings.Contains(p.errs.String(), "hasim compare: interrupted; the figures above cover only the seeds that every scenario finished (") ||
			!strings.Contains(p.out.String(), "Not every run finished") {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, p.out, p.errs)
		}
	})

	// Standard input that delivers the start of a scenario and then
	// nothing: once the first bytes are taken (more than a pipe holds, so
	// hasim is reading and its signal handler installed), the first
	// interrupt stops the read, or, where reading cannot be stopped, a
	// second one exits at once. Either way: exit 130.
	t.Run("stdin", func(t *testing.T) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		p := start(t, bin, r, "run", "-")
		r.Close()
		head := "apiVersion: hasim.dev/v1alpha1\nkind: Scenario\n" + strings.Repeat("# a comment to fill the pipe\n", 8192)
		if _, err := io.WriteString(w, head); err != nil {
			t.Fatal(err)
		}
		p.interrupt(t)
		p.until(t, "the first interrupt's message", true, func() bool { return strings.Contains(p.errs.String(), "hasim: interrupt: stopping") })
		p.interrupt(t)
		if code := p.exitCode(t); code != 130 || !strings.Contains(p.errs.String(), "interrupt") {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, p.out, p.errs)
		}
	})

	// Output to a full device, with the real standard output.
	t.Run("dev-full", func(t *testing.T) {
		full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Skip("no /dev/full:", err)
		}
		defer full.Close()
		for _, args := range [][]string{{"compare", "etcd-leader-kill", "etcd-leader-pause", "--runs", "2"}, {"run", "etcd-leader-kill"}} {
			cmd := exec.Command(bin, args...)
			var errs bytes.Buffer
			cmd.Stdout, cmd.Stderr = full, &errs
			err := cmd.Run()
			if cmd.ProcessState.ExitCode() != 1 || !strings.Contains(errs.String(), "hasim "+args[0]+": writing output: write /dev/stdout: no space left on device") {
				t.Errorf("%v: %v\nstderr: %s", args, err, errs.String())
			}
		}
	})
}
