// Package cputime reads the process's CPU time, for benchmarks that report
// CPU-time figures beside wall time on a shared machine.
package cputime

import (
	"syscall"
	"time"
)

// Now is the process's user and system CPU time so far (0 if the system
// does not say).
func Now() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
