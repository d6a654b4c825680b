package report

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"hasim/experiment"
	"hasim/internal/firsterr"
	"hasim/model"
	"hasim/model/fabric"
	"hasim/sim"
)

// Narrator turns timeline records into sentences a student can follow. It
// remembers the context a sentence needs (the last fault, why a member
// campaigned) as it goes.
type Narrator struct {
	// Verbose includes the routine records the default narration leaves
	// out: members moving to a new term to consider a vote, followers
	// acknowledging the leader just elected.
	Verbose bool

	lastFault   *model.Record
	faultNames  map[int]string
	campaign    map[string]string // member → why it campaigned
	lastLeader  map[uint64]string // term → leader
	leaderSince sim.Time
	frozen      map[string]sim.Time   // process → since when it is frozen
	resumes     map[string][]sim.Time // process → when it resumes, from the whole timeline
	takeovers   []model.Record        // lease acquisitions since the last fault
}

// Lookahead lets the narrator tell what a record cannot know yet: when a
// frozen process will resume (a split brain's stale leader).
func (n *Narrator) Lookahead(tl []model.Record) {
	n.resumes = map[string][]sim.Time{}
	for _, r := range tl {
		if r.Event == model.EvProcResumed {
			n.resumes[r.Proc] = append(n.resumes[r.Proc], r.T)
		}
	}
}

// resumeAfter is when proc resumes after t, if the timeline says.
func (n *Narrator) resumeAfter(proc string, t sim.Time) (sim.Time, bool) {
	for _, at := range n.resumes[proc] {
		if at >= t {
			return at, true
		}
	}
	return 0, false
}

// NewNarrator returns a narrator for a run with these faults.
func NewNarrator(faults []model.FaultResult, verbose bool) *Narrator {
	n := &Narrator{Verbose: verbose, faultNames: map[int]string{}, campaign: map[string]string{}, lastLeader: map[uint64]string{},
		frozen: map[string]sim.Time{}}
	for _, f := range faults {
		n.faultNames[f.ID] = f.Name
	}
	return n
}

// Sentence returns the narration of r, or "" for a record left out.
func (n *Narrator) Sentence(r model.Record) string {
	switch r.Event {
	case model.EvFaultInjected:
		if strings.HasPrefix(r.Reason, "skipped") {
			// It did nothing: what follows is not its doing.
			return fmt.Sprintf("%s (fault %d) does nothing: %s", n.faultNames[r.Fault], r.Fault, strings.TrimPrefix(r.Reason, "skipped: "))
		}
		rc := r
		n.lastFault = &rc
		n.takeovers = nil
		return fmt.Sprintf("%s (fault %d) begins: %s on %s", n.faultNames[r.Fault], r.Fault, r.Reason, r.Target)
	case model.EvFaultHealed:
		return fmt.Sprintf("%s (fault %d) ends", n.faultNames[r.Fault], r.Fault)
	case model.EvHostDown:
		return fmt.Sprintf("host %s goes down: every process on it stops, losing what was not on disk", r.Host)
	case model.EvHostUp:
		return fmt.Sprintf("host %s boots; its processes start again from what is on disk", r.Host)
	case model.EvProcStopped:
		return fmt.Sprintf("%s on %s is %s", r.Proc, r.Host, r.Reason)
	case model.EvProcStarted:
		if strings.HasPrefix(r.Reason, "started by kubeadm join") {
			return fmt.Sprintf("%s on %s is %s", r.Proc, r.Host, r.Reason) // a first start
		}
		return fmt.Sprintf("%s on %s is %s, from what is on disk", r.Proc, r.Host, r.Reason)
	case model.EvProcPaused:
		n.frozen[r.Proc] = r.T
		return fmt.Sprintf("%s on %s is %s: it handles nothing until it resumes", r.Proc, r.Host, r.Reason)
	case model.EvProcResumed:
		delete(n.frozen, r.Proc)
		return fmt.Sprintf("%s on %s is %s: buffered messages first, then its overdue timers", r.Proc, r.Host, r.Reason)
	case model.EvPreCandidate:
		n.campaign[r.Member] = r.Reason
		return fmt.Sprintf("%s asks for pre-votes for term %d (its term does not change yet): %s", r.Member, r.Term, r.Reason)
	case model.EvCandidate:
		if !strings.HasPrefix(r.Reason, "won the pre-vote") {
			n.campaign[r.Member] = r.Reason
		}
		return fmt.Sprintf("%s campaigns for term %d: %s", r.Member, r.Term, r.Reason)
	case model.EvLeader:
		n.lastLeader[r.Term] = r.Member
		n.leaderSince = r.T
		s := fmt.Sprintf("%s is leader (term %d): %s", r.Member, r.Term, r.Reason)
		if why, ok := strings.CutPrefix(n.campaign[r.Member], "election timer fired: "); ok {
			s += "; its election timer fired first: " + why
		}
		return s + n.afterFault(r)
	case model.EvFollower:
		if r.Leader == "" {
			if !n.Verbose && strings.Contains(r.Reason, "(MsgVote)") || !n.Verbose && strings.Contains(r.Reason, "(MsgPreVote)") {
				return ""
			}
			return fmt.Sprintf("%s is a follower without a leader at term %d: %s", r.Member, r.Term, r.Reason)
		}
		if !n.Verbose && n.lastLeader[r.Term] == r.Leader && r.T.Sub(n.leaderSince) < time.Second {
			return ""
		}
		return fmt.Sprintf("%s follows %s (term %d): %s", r.Member, r.Leader, r.Term, r.Reason)
	case model.EvStepDown:
		return fmt.Sprintf("%s stops leading term %d: %s", r.Member, r.Term, r.Reason)
	case model.EvVoteIgnored:
		return fmt.Sprintf("%s ignores %s's vote request for term %d: %s", r.Member, r.Peer, r.Term, r.Reason)
	case model.EvVoteRejected:
		return fmt.Sprintf("%s refuses %s's vote request for term %d: %s", r.Member, r.Peer, r.Term, r.Reason)
	case model.EvFirstCommit:
		return fmt.Sprintf("%s commits its first entry of term %d (index %d): writes can complete again", r.Member, r.Term, r.Index)
	case model.EvProbeDown:
		return fmt.Sprintf("probe %s: %s", r.Probe, r.Reason)
	case model.EvProbeUp, evIntermittent:
		return fmt.Sprintf("probe %s: %s", r.Probe, r.Reason)
	case model.EvViolation:
		return "INVARIANT VIOLATED (a bug in hasim): " + r.Reason
	case model.EvAPIReady:
		return fmt.Sprintf("%s is ready: %s", r.Proc, r.Reason)
	case model.EvAPIUnready:
		return fmt.Sprintf("%s is not ready: %s", r.Proc, r.Reason)
	case model.EvLeaseAcquired:
		if r.Reason == model.AtStart {
			return fmt.Sprintf("%s leads %s (holds the lease when the run starts)", r.Proc, r.Group)
		}
		s := fmt.Sprintf("%s leads %s (acquired the lease)", r.Proc, r.Group)
		if r.Reason != "" {
			s = fmt.Sprintf("%s leads %s (acquired the lease: %s)", r.Proc, r.Group, r.Reason)
		}
		s += n.afterFault(r) + n.takeoverGap(r)
		if n.lastFault != nil {
			n.takeovers = append(n.takeovers, r)
		}
		return s
	case model.EvSplitBrain:
		s := fmt.Sprintf("split brain in %s begins: %s", r.Group, r.Reason)
		if since, ok := n.frozen[r.Proc]; ok {
			if until, ok := n.resumeAfter(r.Proc, r.T); ok {
				s += fmt.Sprintf(" (frozen from %v until %v; its renew deadline runs from its resume)", since, until)
			} else {
				s += fmt.Sprintf(" (frozen since %v, to the end of the run)", since)
			}
		}
		return s
	case model.EvActingSplitBrain:
		return fmt.Sprintf("acting split brain in %s begins: %s", r.Group, r.Reason)
	case model.EvActingSplitBrainEnded:
		return fmt.Sprintf("acting split brain in %s ends %s", r.Group, r.Reason)
	case model.EvSplitBrainEnded:
		return fmt.Sprintf("split brain in %s ends %s", r.Group, r.Reason)
	case model.EvLeaseRenewed:
		if !n.Verbose {
			return ""
		}
		return fmt.Sprintf("%s renewed the %s lease", r.Proc, r.Group)
	case model.EvLeaseLost:
		return fmt.Sprintf("%s stops leading %s: %s", r.Proc, r.Group, r.Reason)
	case model.EvLeaseReleased:
		return fmt.Sprintf("%s released the %s lease: %s", r.Proc, r.Group, r.Reason)
	case model.EvProcExited:
		return fmt.Sprintf("%s on %s exits: %s", r.Proc, r.Host, r.Reason)
	case model.EvProcRestarted:
		return fmt.Sprintf("%s on %s is %s", r.Proc, r.Host, r.Reason)
	case model.EvClockChanged:
		return fmt.Sprintf("host %s: %s", r.Host, r.Reason)
	case model.EvLBBackendDown, model.EvLBBackendUp:
		// A cloud load balancer's words are its providers': unhealthy and
		// healthy targets; HAProxy's and nginx's are DOWN and UP.
		up, cloud := r.Event == model.EvLBBackendUp, model.IsCloudLB(r.Proc)
		state := "DOWN"
		switch {
		case up && cloud:
			state = "healthy"
		case up:
			state = "UP"
		case cloud:
			state = "unhealthy"
		}
		return fmt.Sprintf("%s marks %s's apiserver %s: %s", r.Proc, r.Host, state, r.Reason)
	case model.EvNodeLeaseFailing, model.EvNodeLeaseOK:
		return fmt.Sprintf("kubelet on %s: %s", r.Host, r.Reason)
	case model.EvNodeNotReady:
		return fmt.Sprintf("node %s is NotReady (%s): %s", r.Host, r.Proc, r.Reason) + n.afterFault(r)
	case model.EvNodeReady:
		return fmt.Sprintf("node %s is Ready again: %s", r.Host, r.Reason)
	case model.EvNodeTainted:
		return fmt.Sprintf("node %s is tainted %s", r.Host, r.Reason)
	case model.EvNodeUntainted:
		return fmt.Sprintf("node %s loses its NoExecute taint: %s", r.Host, r.Reason)
	case model.EvPodEvicted, model.EvPodCreated, model.EvPodStarted:
		return r.Reason + n.afterFault(r)
	case model.EvPodScheduled:
		return fmt.Sprintf("%s: %s", r.Proc, r.Reason)
	case model.EvPodsStopped:
		return fmt.Sprintf("on %s, %s", r.Host, r.Reason)
	case model.EvCtrlSynced:
		return fmt.Sprintf("%s's informers have synced: as the %s leader it acts from now", r.Proc, r.Group)
	case model.EvVIPMoved:
		if r.Host == "" {
			return "the virtual IP answers nowhere: " + r.Reason
		}
		return fmt.Sprintf("the virtual IP now answers on %s: %s", r.Host, r.Reason)
	case model.EvMemberAdded, model.EvMemberPromoted, model.EvMemberRemoved:
		return fmt.Sprintf("%s is %s", r.Member, r.Reason)
	case model.EvOpRetrying, model.EvOpDone, model.EvOpFailed:
		how := map[string]string{model.EvOpRetrying: ":", model.EvOpDone: " is done:", model.EvOpFailed: " FAILED:"}[r.Event]
		return fmt.Sprintf("%s (fault %d)%s %s", n.faultNames[r.Fault], r.Fault, how, r.Reason)
	case model.EvMemberLeft:
		return fmt.Sprintf("%s leaves the cluster, its etcd on %s exits: %s", r.Member, r.Host, r.Reason)
	case model.EvServiceEndpoints:
		return fmt.Sprintf("%s rewrites the kubernetes Service's endpoints: %s", r.Proc, r.Reason) + n.afterFault(r)
	case model.EvProxyRules:
		return fmt.Sprintf("kube-proxy on %s forwards the kubernetes Service to %s", r.Host, r.Reason)
	}
	return r.Event + " " + r.Reason
}

// takeoverGap says, for a lease taken over after a fault in which another
// group's lease was taken over earlier, where the gap between the two comes
// from: each candidate counts the lease from when it last saw its holder's
// record change, so different last renewals give different takeover times.
func (n *Narrator) takeoverGap(r model.Record) string {
	for _, prev := range n.takeovers {
		if prev.Group == r.Group || r.T.Sub(prev.T) < time.Second {
			continue
		}
		seen, prevSeen := observedAt(r.Reason), observedAt(prev.Reason)
		if seen == "" || prevSeen == "" {
			continue
		}
		return fmt.Sprintf(" [%s after %s's takeover: %s %s, while %s's new leader had %s; each counts the lease from there]",
			r.T.Sub(prev.T).Round(time.Millisecond), prev.Group, r.Proc, sawAt(seen, r.Group), prev.Group, sawAt(prevSeen, prev.Group))
	}
	return ""
}

// observedAt is the "(observed at T…)" of a takeover's reason, or "".
func observedAt(reason string) string {
	_, rest, ok := strings.Cut(reason, "(observed at ")
	if !ok {
		return ""
	}
	at, _, _ := strings.Cut(rest, "), longer")
	return at
}

// sawAt tells an observation of a lease record: a first read (the
// candidate had just started) or a change seen.
func sawAt(obs, group string) string {
	if at, ok := strings.CutSuffix(obs, ": its first read since it started"); ok {
		return fmt.Sprintf("first read the %s record at %s, when it had just started", group, at)
	}
	return fmt.Sprintf("last seen the %s record change at %s", group, obs)
}

// flapWindow is how close probe state changes must follow each other to be
// told as one intermittent stretch.
const flapWindow = time.Second

// afterFault says how long after the last fault r happened, if any.
func (n *Narrator) afterFault(r model.Record) string {
	f := n.lastFault
	if f == nil {
		return ""
	}
	return fmt.Sprintf(" [%s after %s at %v]", r.T.Sub(f.T).Round(time.Millisecond), n.faultNames[f.Fault], f.T)
}

// Line is one line of the narrated timeline: when, the record it tells
// (its event; a coalesced run of probe changes is "probe.intermittent")
// and the sentence.
type Line struct {
	T     sim.Time
	Event string
	Text  string
}

// Narration is the narrated timeline, one line per event told. Runs of a
// probe flipping between failing and succeeding (a client rotating over a
// reachable but leaderless member, say) are told as one line.
func Narration(r model.Result, verbose bool) []Line {
	n := NewNarrator(r.Faults, verbose)
	n.Lookahead(r.Timeline)
	tl := r.Timeline
	if !verbose {
		tl = coalesceRepeats(coalesceFlaps(tl))
	}
	var lines []Line
	var lastStepDown model.Record
	for _, rec := range tl {
		if !verbose && rec.Event == model.EvFollower && rec.Member == lastStepDown.Member && rec.T == lastStepDown.T {
			continue // the stepdown line said it
		}
		if rec.Event == model.EvStepDown {
			lastStepDown = rec
		}
		if s := n.Sentence(rec); s != "" {
			lines = append(lines, Line{T: rec.T, Event: rec.Event, Text: s})
		}
	}
	return lines
}

// WriteTimeline writes the narrated timeline (Narration), one event per
// line.
func WriteTimeline(w io.Writer, r model.Result, verbose bool) error {
	for _, l := range Narration(r, verbose) {
		if _, err := fmt.Fprintf(w, "%10s  %s\n", l.T, l.Text); err != nil {
			return err
		}
	}
	return nil
}

// coalesceRepeats folds a member's repeated, fruitless campaigns (the same
// pre-vote or candidacy event and term, nothing else from that member in
// between) into the first, noting how often and until when it repeated.
func coalesceRepeats(tl []model.Record) []model.Record {
	out := make([]model.Record, 0, len(tl))
	open := map[string]int{} // member → index in out of its repeating record
	count := map[string]int{}
	last := map[string]sim.Time{}
	flush := func(m string) {
		if i, ok := open[m]; ok && count[m] > 1 {
			out[i].Reason += fmt.Sprintf(" (and %d times more, the last at %v, to no avail)", count[m]-1, last[m])
		}
		delete(open, m)
		delete(count, m)
	}
	for _, r := range tl {
		if r.Member == "" {
			out = append(out, r)
			continue
		}
		if i, ok := open[r.Member]; ok && (r.Event == model.EvPreCandidate || r.Event == model.EvCandidate) &&
			out[i].Event == r.Event && out[i].Term == r.Term {
			count[r.Member]++
			last[r.Member] = r.T
			continue
		}
		flush(r.Member)
		if r.Event == model.EvPreCandidate {
			open[r.Member] = len(out)
			count[r.Member] = 1
		}
		out = append(out, r)
	}
	for _, m := range sortedKeys(open) {
		flush(m)
	}
	return out
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// evIntermittent is the narration's own record for a coalesced run of
// probe state changes; it never appears in JSON.
const evIntermittent = "probe.intermittent"

// coalesceFlaps replaces each run of three or more state changes of one
// probe, each within flapWindow of the previous, by one intermittent
// record, keeping the run's final recovery if it ends with one.
func coalesceFlaps(tl []model.Record) []model.Record {
	out := make([]model.Record, 0, len(tl))
	drop := make([]bool, len(tl))
	for i, rec := range tl {
		if drop[i] {
			continue
		}
		j := flapRun(tl, i)
		changes := 0
		for k := i; k <= j; k++ {
			if isProbeChange(tl[k], rec.Probe) {
				changes++
			}
		}
		if changes < 3 {
			out = append(out, rec)
			continue
		}
		fails, firstFail := 0, ""
		for k := i; k <= j; k++ {
			if isProbeChange(tl[k], rec.Probe) {
				drop[k] = true
				if tl[k].Event == model.EvProbeDown {
					fails++
					if firstFail == "" {
						firstFail = tl[k].Reason
					}
				}
			}
		}
		// A run that ends in recovery keeps its recovery line, told when
		// the loop reaches it.
		drop[j] = tl[j].Event != model.EvProbeUp
		out = append(out, model.Record{T: rec.T, Event: evIntermittent, Probe: rec.Probe,
			Reason: fmt.Sprintf("requests fail intermittently until %v (%d failing stretches; first: %s)", tl[j].T, fails, firstFail)})
	}
	return out
}

func isProbeChange(r model.Record, probe string) bool {
	return r.Probe == probe && (r.Event == model.EvProbeDown || r.Event == model.EvProbeUp)
}

// flapRun returns the index of the last event of a run of state changes of
// the probe at tl[i], each within flapWindow of the previous one, or i if
// tl[i] does not start such a run.
func flapRun(tl []model.Record, i int) int {
	if tl[i].Event != model.EvProbeDown && tl[i].Event != model.EvProbeUp {
		return i
	}
	last := i
	for k := i + 1; k < len(tl); k++ {
		if tl[k].T.Sub(tl[last].T) > flapWindow {
			break
		}
		if isProbeChange(tl[k], tl[i].Probe) {
			last = k
		}
	}
	return last
}

func newTable(w io.Writer, align ...tw.Align) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
	)
}

// newTableAligned is a table whose first column is left-aligned and the
// other n-1 right-aligned.
func newTableAligned(w io.Writer, n int) *tablewriter.Table {
	align := []tw.Align{tw.AlignLeft}
	for range n - 1 {
		align = append(align, tw.AlignRight)
	}
	return newTable(w, align...)
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3fs", d.Seconds()) }

func pct(x float64) string { return fmt.Sprintf("%.3f%%", x*100) }

// intervals summarizes split-brain intervals: count / total / longest.
func intervals(iv []model.Interval) string {
	if len(iv) == 0 {
		return "none"
	}
	var total, longest time.Duration
	for _, x := range iv {
		d := x.To.Sub(x.From)
		total += d
		longest = max(longest, d)
	}
	return fmt.Sprintf("%d / %s / %s", len(iv), secs(total), secs(longest))
}

// checked runs write on w through a firsterr.Writer and returns the first
// write error, or else write's own error.
func checked(w io.Writer, write func(w io.Writer) error) error {
	ew := &firsterr.Writer{W: w}
	err := write(ew)
	if ew.Err != nil {
		return ew.Err
	}
	return err
}

// WriteSummary writes the headline figures and the per-fault table.
func WriteSummary(w io.Writer, scenario string, r model.Result) error {
	return WriteSummaryWith(w, scenario, r, nil)
}

// WriteSummaryWith is WriteSummary with the scenario's closed form (nil
// for none) beside its figures per year.
func WriteSummaryWith(w io.Writer, scenario string, r model.Result, cf *ClosedFormFigures) error {
	return checked(w, func(w io.Writer) error { return writeSummary(w, scenario, r, cf) })
}

// measuredSum is the calendar time r measured, eras counted.
func measuredSum(r model.Result) fabric.Sum {
	if r.Eras == 0 {
		return fabric.Sum{Rest: r.End.Sub(r.MeasuredFrom)}
	}
	var s fabric.Sum
	for range r.Eras {
		s.Add(r.EraSpan)
	}
	s.Add(r.End.Duration())
	s.Rest -= r.MeasuredFrom.Duration() // the start is within the first era
	return s
}

// fmtYears writes seconds as years, to four significant digits.
func fmtYears(secs float64) string { return fmt.Sprintf("%.4gy", secs/model.Year.Seconds()) }

func writeSummary(w io.Writer, scenario string, r model.Result, cf *ClosedFormFigures) error {
	measured := measuredSum(r)
	end := fmt.Sprint(r.End)
	if r.Eras > 0 || r.HorizonEras > 0 {
		end = r.EndString()
	}
	fmt.Fprintf(w, "Summary of %s (seed %d): %s simulated, %d events, %s, %d hosts\n", scenario, r.Seed, end, r.Events, r.Outcome, r.Hosts)
	if !r.Steady {
		fmt.Fprintln(w, "  the cluster never committed an entry: nothing was measured")
		return nil
	}
	fmt.Fprintf(w, "  measured from %v (the start, or etcd's first commit if later) to %s\n", r.MeasuredFrom, end)
	if r.Cut != "" {
		fmt.Fprintf(w, "  %s\n", r.Cut)
	}
	switch {
	case r.Eras > 0:
		fmt.Fprintf(w, "  fast-forwarded through %s of steady time in %d stretches; the calendar was rebased %d times (one era of %s each); faults, incidents and the timeline are listed from the first era only\n",
			fmtYears(r.SkippedSeconds()), r.Skips, r.Eras, model.LongString(r.EraSpan))
	case r.Skips > 0:
		fmt.Fprintf(w, "  fast-forwarded through %v of steady time in %d stretches (--no-fast-forward simulates them)\n", r.Skipped.Round(time.Second), r.Skips)
	}
	if r.RecordsDropped > 0 {
		fmt.Fprintf(w, "  the timeline keeps its first %d records; %d later ones are counted in the figures, not listed (--max-records)\n",
			len(r.Timeline), r.RecordsDropped)
	}
	if r.FaultsUnlisted > 0 {
		fmt.Fprintf(w, "  the fault table lists %d faults; %d later ones, over, are counted in the figures, not listed\n", len(r.Faults), r.FaultsUnlisted)
	}
	fmt.Fprintln(w)
	t := newTable(w, tw.AlignLeft, tw.AlignRight, tw.AlignRight)
	t.Header("measure", "time", "share")
	rows := [][]string{
		{"no etcd leader", secs(r.Leaderless), pct(fabric.Sum{Rest: r.Leaderless}.Frac(measured))},
		{"two etcd leaders (stale one not yet stepped down)", secs(r.DualLeader), pct(fabric.Sum{Rest: r.DualLeader}.Frac(measured))},
	}
	for _, p := range r.Probes {
		rows = append(rows, []string{fmt.Sprintf("%s unavailable (%s, every %v, timeout %v)", p.Name, p.Kind, p.Period, p.Timeout),
			secs(p.Unavailable), pct(1 - p.Availability)})
	}
	if err := t.Bulk(rows); err != nil {
		return err
	}
	if err := t.Render(); err != nil {
		return err
	}
	for _, p := range r.Probes {
		fmt.Fprintf(w, "  %s availability %s (%d requests ok, %d failed)\n", p.Name, pct(p.Availability), p.OK, p.Failed)
		if p.Unmeasured > 0 || p.UnmeasuredRequests > 0 {
			fmt.Fprintf(w, "  %s unmeasured %s, %d requests not attempted (its own host or process was down or frozen): left out of its availability\n",
				p.Name, secs(p.Unmeasured), p.UnmeasuredRequests)
		}
	}
	if len(r.Groups) > 0 {
		fmt.Fprintln(w)
		gt := newTable(w, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignLeft)
		gt.Header("leader group", "no acting leader", "split brain (count / total / longest)", "acting split brain", "acquisitions", "leader at end")
		for _, g := range r.Groups {
			leader := g.Leader
			if leader == "" {
				leader = "-"
			}
			if err := gt.Append([]string{g.Name, secs(g.NoLeader), intervals(g.SplitBrain), intervals(g.ActingSplitBrain),
				fmt.Sprint(g.Acquisitions), leader}); err != nil {
				return err
			}
		}
		if err := gt.Render(); err != nil {
			return err
		}
	}
	if len(r.APIServers) > 0 {
		var parts []string
		for _, a := range r.APIServers {
			parts = append(parts, fmt.Sprintf("%s %s", a.Name, pct(a.Ready.Frac(measured))))
		}
		fmt.Fprintf(w, "  apiserver /readyz: %s\n", strings.Join(parts, ", "))
	}
	if changed := slices.ContainsFunc(r.Members, func(m model.MemberResult) bool { return m.Membership != "voter" }); changed {
		var parts []string
		for _, m := range r.Members {
			parts = append(parts, fmt.Sprintf("%s on %s %s", m.Name, m.Host, m.Membership))
		}
		fmt.Fprintf(w, "  etcd membership at end: %s\n", strings.Join(parts, ", "))
	}
	if len(r.Workloads) > 0 {
		fmt.Fprintln(w)
		wt := newTable(w, tw.AlignLeft, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight)
		wt.Header([]string{"workload", "kind", "ready at end", "degraded", "down (none ready)", "evicted", "replacements"})
		for _, wl := range r.Workloads {
			if err := wt.Append([]string{wl.Name, string(wl.Kind), fmt.Sprintf("%d of %d", wl.ReadyAtEnd, wl.Replicas),
				secs(wl.Degraded), secs(wl.Down), fmt.Sprint(wl.Evicted), fmt.Sprint(wl.Replacements)}); err != nil {
				return err
			}
		}
		if err := wt.Render(); err != nil {
			return err
		}
	}
	if len(r.Nodes) > 0 {
		fmt.Fprintf(w, "  nodes at end: %s\n", nodesAtEnd(r.Nodes))
	}
	if r.RatesDefined {
		if a := Annual([]experiment.Run{experiment.Measure(r)}); a != nil {
			a.ClosedForm = cf
			fmt.Fprintln(w)
			if err := writeIncidents(w, r); err != nil {
				return err
			}
			if err := writeAnnual(w, a); err != nil {
				return err
			}
		}
	}
	if len(r.Faults) > 0 {
		fmt.Fprintln(w)
		align := []tw.Align{tw.AlignRight, tw.AlignLeft, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignLeft}
		header := []string{"#", "fault", "target", "at", "healed / done", "new etcd leader"}
		for _, g := range r.Groups[min(1, len(r.Groups)):] { // etcd has its own column
			header = append(header, "new "+g.Name)
			align = append(align, tw.AlignRight)
		}
		for _, p := range r.Probes {
			header = append(header, "first ok "+p.Name)
			align = append(align, tw.AlignRight)
		}
		ft := newTable(w, align...)
		ft.Header(header)
		for _, f := range r.Faults {
			healed := "-"
			switch {
			case f.Healed:
				healed = f.HealedAt.String()
			case f.Operation && f.Error != "":
				healed = "failed " + f.DoneAt.String()
			case f.Operation && f.DoneAt > 0:
				healed = "done " + f.DoneAt.String()
			case f.Operation && f.Skipped == "" && r.Reached(f.At):
				healed = "still running"
			}
			nl := "none (leader unaffected)"
			switch {
			case f.Skipped != "":
				nl = "skipped: " + f.Skipped
			case f.NewLeaderAfter >= 0:
				nl = fmt.Sprintf("%s, term %d, after %s", f.NewLeader, f.NewLeaderTerm, secs(f.NewLeaderAfter))
			}
			row := []string{fmt.Sprint(f.ID), f.Name, f.Target, f.At.String(), healed, nl}
			for _, d := range f.GroupFailover[min(1, len(f.GroupFailover)):] {
				if d < 0 {
					row = append(row, "none")
				} else {
					row = append(row, "after "+secs(d))
				}
			}
			for _, ok := range f.FirstSuccess {
				if ok < 0 {
					row = append(row, "never")
				} else {
					row = append(row, "after "+secs(ok))
				}
			}
			if err := ft.Append(row); err != nil {
				return err
			}
		}
		if err := ft.Render(); err != nil {
			return err
		}
	}
	if len(r.Violations) > 0 {
		fmt.Fprintf(w, "\n%d INVARIANT VIOLATIONS (bugs in hasim; please report with the reproduce line):\n", len(r.Violations))
		for _, v := range r.Violations {
			fmt.Fprintln(w, "  "+v.String())
		}
	}
	return nil
}

// listedNodes is how many nodes the summary names one by one.
const listedNodes = 12

// nodesAtEnd describes the nodes' state at the end: each one while they
// are few; in a large cluster only those that were ever NotReady (the
// first listedNodes of them), and a count of the rest.
func nodesAtEnd(nodes []model.NodeResult) string {
	var parts []string
	steady, more := 0, 0
	for _, n := range nodes {
		state := "Ready"
		if !n.ReadyAtEnd {
			state = "NotReady"
		}
		switch {
		case len(nodes) > listedNodes && n.ReadyAtEnd && n.NotReadyCount == 0 && n.NotReady == 0:
			steady++
		case len(parts) < listedNodes:
			parts = append(parts, fmt.Sprintf("%s %s (NotReady %s)", n.Name, state, secs(n.NotReady)))
		default:
			more++
		}
	}
	if more > 0 {
		parts = append(parts, fmt.Sprintf("%d more that were NotReady at some time", more))
	}
	if steady > 0 {
		parts = append(parts, fmt.Sprintf("%d Ready throughout", steady))
	}
	return strings.Join(parts, ", ")
}
