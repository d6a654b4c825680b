package model

// RunOptions are what a caller of Simulate adds to a run.
type RunOptions struct {
	// Stop, if not nil, is asked every sim.CheckEvery events whether to end
	// the run early (an interrupt); the result is then that of a run that
	// stopped at the time reached, with Outcome sim.Stopped.
	Stop func() bool
	// Progress, if not nil, is told as often as Stop is asked how far the
	// run has come: the calendar time reached and the horizon, in seconds
	// (eras counted). It must only look: the run's figures never depend on
	// it.
	Progress func(reached, horizon float64)
	// BeforeRun, if not nil, is called with the built cluster before its
	// first event: to plant a test's hooks, keep the cluster for a look
	// after the run, or do what must wait until the configuration is known
	// to build. If it returns an error, Simulate returns that error and
	// does not run.
	BeforeRun func(*Cluster) error
	// FiguresOnly leaves out of the result what only pictures use (its
	// Lanes): runs of a study need the figures alone, and a study of
	// thousands of runs should not make what nobody draws.
	FiguresOnly bool
	// Recycler, if set, lends the run arrays of earlier runs on the same
	// goroutine and takes this run's back at its end (etcd.Recycler).
	Recycler *Recycler
}

// BuildError is Simulate's error when the configuration does not build;
// its text is Build's error.
type BuildError struct{ Err error }

func (e *BuildError) Error() string { return e.Err.Error() }
func (e *BuildError) Unwrap() error { return e.Err }

// Simulate is the one way to run a configuration: Build, then BeforeRun,
// then run to the horizon (or an event bound, or Stop), then the Result.
// It recovers nothing: a panic in the model stays a panic, for the caller
// to report with its own means of reproducing the run.
func Simulate(cfg Config, opt RunOptions) (Result, error) {
	c, err := Build(cfg)
	if err != nil {
		return Result{}, &BuildError{Err: err}
	}
	if !cfg.ColdStart {
		c.warmStart()
	}
	if opt.BeforeRun != nil {
		if err := opt.BeforeRun(c); err != nil {
			return Result{}, err
		}
	}
	c.figuresOnly = opt.FiguresOnly
	if opt.Recycler != nil {
		c.Etcd.UseRecycler(opt.Recycler)
		defer c.Etcd.Recycle(opt.Recycler)
	}
	stop := opt.Stop
	if progress := opt.Progress; progress != nil {
		horizon := cfg.HorizonSeconds()
		stop = func() bool {
			progress(c.ReachedSeconds(), horizon)
			return opt.Stop != nil && opt.Stop()
		}
	}
	out := c.RunInterruptible(stop)
	c.done = true
	return c.Result(out), nil
}
