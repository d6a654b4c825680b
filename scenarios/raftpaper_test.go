package scenarios

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"hasim/model"
)

// figure16Seeds is how many crashes each election timeout range is run
// for (the paper ran 1000 per line).
const figure16Seeds = 150

// figure16Run is one crash of the raft-paper-figure-16 scenario.
type figure16Run struct {
	after    time.Duration // from the crash to the new leader; -1: none within the horizon
	rounds   bool          // the election needed more than one term
	eligible bool          // the new leader is one of the followers with the longest logs (or the crash found the logs equal already)
	refused  bool          // some candidate was refused for its stale log
}

// figure16 runs the scenario over seeds with election timeouts drawn from
// 150 ms to hi ms and returns each crash's outcome.
func figure16(t *testing.T, hi int, unequal bool) []figure16Run {
	t.Helper()
	longest := regexp.MustCompile(`(etcd-\d) \+(\d)`)
	var runs []figure16Run
	for seed := uint64(1); seed <= figure16Seeds; seed++ {
		r := runLibrary(t, "raft-paper-figure-16", seed, func(c *model.Config) {
			c.Etcd.ElectionJitterTicks = hi - 150 + 1
			c.Faults[0].UnequalLogs = unequal
		})
		f := r.Faults[0]
		run := figure16Run{after: f.NewLeaderAfter, rounds: f.NewLeaderTerm > f.TermBefore+1}
		for _, rec := range r.Timeline {
			switch {
			case rec.Event == model.EvFaultInjected && unequal && !strings.Contains(rec.Reason, "past index"):
				// The crash came with an append in flight, and no
				// follower's log ended where the leader's did: there were
				// no logs to make unequal.
				run.eligible = true
			case rec.Event == model.EvFaultInjected && unequal:
				// "followers' logs past index 3: etcd-3 +0, etcd-1 +1, etcd-2 +2, etcd-5 +3":
				// of four survivors, the two with +2 and +3 can win
				// (three votes of five).
				for _, m := range longest.FindAllStringSubmatch(rec.Reason, -1) {
					if m[1] == f.NewLeader && m[2] >= "2" {
						run.eligible = true
					}
				}
			case rec.Event == model.EvVoteRejected && strings.Contains(rec.Reason, "candidate's log is behind"):
				run.refused = true
			}
		}
		runs = append(runs, run)
	}
	return runs
}

// quantile is the nearest-rank quantile of sorted times.
func quantile(ts []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(ts))+0.999999) - 1
	return ts[max(0, min(i, len(ts)-1))]
}

// TestRaftPaperFigure16 runs the set-up of Figure 16 of the Raft paper
// (Ongaro and Ousterhout, USENIX ATC 2014, §9.3): five servers, a
// broadcast time of about 15 ms, heartbeats every half of the shortest
// election timeout, the leader crashed at a random point of its heartbeat
// interval after followers' logs were made unequal, for election timeouts
// of 150–155, 150–175, 150–200 and 150–300 ms. What the paper reports, and
// what hasim gives (150 crashes per range, etcd-io/raft's rules):
//
//   - Smallest downtime about half the shortest timeout (75 ms) plus one
//     election: hasim's minimum is 100–170 ms in every range (the
//     narrowest needs a second round nearly always).
//   - 150–155 ms: split votes make it slow; the paper's median is 287 ms.
//     hasim's is about 750 ms, with a second round in nearly every crash.
//   - More randomness helps: with 50 ms of it (150–200) the paper's worst
//     case over 1000 trials was 513 ms; hasim's median falls to about 290
//     ms from 150–175 on, but its worst case stays near 1.5 s.
//
// hasim is slower than the paper because it runs etcd-io/raft, whose
// followers restart their election timers (with a fresh random draw) on
// every change of term: a candidate that cannot win (its log is behind)
// still moves everyone's term with its vote request and so puts every
// follower's timer back to zero, often in step again; a candidate that
// loses restarts its timer too. The paper's Raft restarts a follower's
// timer only when it hears from a leader or grants a vote. Without the
// unequal logs, hasim's curves come close to the paper's: with 150–300 ms
// the median is about 160 ms and the worst of 150 crashes about 0.5 s.
func TestRaftPaperFigure16(t *testing.T) {
	type row struct {
		hi                 int
		p50lo, p50hi       time.Duration // hasim's median, in this band
		worstLo, worstHi   time.Duration // hasim's worst case, in this band
		roundsLo, roundsHi int           // crashes needing a second round, of 150
	}
	rows := []row{
		{155, 450 * time.Millisecond, 900 * time.Millisecond, 1500 * time.Millisecond, 4 * time.Second, 140, 150},
		{175, 180 * time.Millisecond, 450 * time.Millisecond, 800 * time.Millisecond, 2500 * time.Millisecond, 80, 130},
		{200, 180 * time.Millisecond, 450 * time.Millisecond, 800 * time.Millisecond, 2500 * time.Millisecond, 70, 120},
		{300, 180 * time.Millisecond, 450 * time.Millisecond, 700 * time.Millisecond, 2 * time.Second, 50, 100},
	}
	medians := map[int]time.Duration{}
	for _, w := range rows {
		runs := figure16(t, w.hi, true)
		var ts []time.Duration
		rounds, ineligible, refused := 0, 0, 0
		for _, r := range runs {
			if r.after < 0 {
				t.Fatalf("150–%d ms: a crash left no leader within the horizon", w.hi)
			}
			ts = append(ts, r.after)
			if r.rounds {
				rounds++
			}
			if !r.eligible {
				ineligible++
			}
			if r.refused {
				refused++
			}
		}
		slices.Sort(ts)
		p50, worst := quantile(ts, 0.5), ts[len(ts)-1]
		medians[w.hi] = p50
		t.Logf("150–%d ms: min %v, p50 %v, p90 %v, max %v; a second round in %d of %d; a stale candidate refused in %d",
			w.hi, ts[0].Round(time.Millisecond), p50.Round(time.Millisecond), quantile(ts, 0.9).Round(time.Millisecond),
			worst.Round(time.Millisecond), rounds, len(ts), refused)
		if ts[0] < 75*time.Millisecond || ts[0] > 200*time.Millisecond {
			t.Errorf("150–%d ms: shortest downtime %v, want between half the shortest timeout (75 ms) and the timeout plus a round (200 ms)", w.hi, ts[0])
		}
		if p50 < w.p50lo || p50 > w.p50hi {
			t.Errorf("150–%d ms: median %v, want %v–%v", w.hi, p50, w.p50lo, w.p50hi)
		}
		if worst < w.worstLo || worst > w.worstHi {
			t.Errorf("150–%d ms: worst %v, want %v–%v", w.hi, worst, w.worstLo, w.worstHi)
		}
		if rounds < w.roundsLo || rounds > w.roundsHi {
			t.Errorf("150–%d ms: %d crashes needed a second round, want %d–%d", w.hi, rounds, w.roundsLo, w.roundsHi)
		}
		// The election restriction: a follower whose log is behind a
		// majority's never wins.
		if ineligible > 0 {
			t.Errorf("150–%d ms: %d elections won by a follower without one of the two longest logs", w.hi, ineligible)
		}
		if refused < len(runs)/2 {
			t.Errorf("150–%d ms: stale candidates refused in only %d of %d crashes", w.hi, refused, len(runs))
		}
	}
	if medians[155] < 287*time.Millisecond || medians[155] < 3*medians[300]/2 {
		t.Errorf("150–155 ms median %v: want split votes to make it slower than the paper's 287 ms and than 150–300 ms (%v)", medians[155], medians[300])
	}
}

// TestRaftPaperFigure16EqualLogs: with every follower's log equal, no
// candidate is refused and the widest range elects about as fast as the
// paper's: most crashes take one round, and none takes 0.6 s.
func TestRaftPaperFigure16EqualLogs(t *testing.T) {
	var ts []time.Duration
	rounds := 0
	for _, r := range figure16(t, 300, false) {
		if r.refused {
			t.Fatal("a candidate was refused for its log although every log was equal")
		}
		ts = append(ts, r.after)
		if r.rounds {
			rounds++
		}
	}
	slices.Sort(ts)
	t.Logf("150–300 ms, equal logs: min %v, p50 %v, p90 %v, max %v; a second round in %d of %d", ts[0].Round(time.Millisecond),
		quantile(ts, 0.5).Round(time.Millisecond), quantile(ts, 0.9).Round(time.Millisecond), ts[len(ts)-1].Round(time.Millisecond), rounds, len(ts))
	if p50, worst := quantile(ts, 0.5), ts[len(ts)-1]; p50 > 200*time.Millisecond || worst > 600*time.Millisecond || rounds > len(ts)/10 {
		t.Errorf("median %v, worst %v, %d second rounds: want at most 200 ms, 600 ms, 10%%", p50, worst, rounds)
	}
}
