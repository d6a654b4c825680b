package report

import (
	"encoding/json"
	"io"
	"math"
	"time"

	"hasim/experiment"
	"hasim/model"
	"hasim/model/fabric"
	"hasim/sim"
)

// FormatVersion is the version of the JSON document; it changes only when
// a field changes meaning or disappears. 2: hosts counts the hosts that
// run the cluster, not the probes' client; a comparison gives its figures
// per year (availability, downtime per year, nines) only for scenarios
// whose failures arrive at rates, and every estimate has a confidence.
const FormatVersion = 2

// Document is the JSON form of a run: the summary and the whole timeline.
// Times are seconds (float, microsecond precision) since the start of the
// run; durations are seconds too. The README documents every field.
type Document struct {
	FormatVersion int     `json:"formatVersion"`
	Scenario      string  `json:"scenario"`
	Seed          uint64  `json:"seed"`
	Horizon       float64 `json:"horizon"`
	Outcome       string  `json:"outcome"`
	// Stall says where virtual time stood still when Outcome is
	// "livelocked" (a bug in hasim); absent otherwise.
	Stall      string   `json:"stall,omitempty"`
	Events     uint64   `json:"events"`
	Summary    Summary  `json:"summary"`
	Timeline   []Event  `json:"timeline"`
	Violations []string `json:"violations"`
	// Annual are the figures per year of a run whose failures arrive at
	// rates (failure processes); absent for a scripted run.
	Annual *AnnualFigures `json:"annual,omitempty"`
	// SkippedSeconds is the steady time the run fast-forwarded through;
	// RecordsDropped the records the timeline did not keep (its first
	// ones are kept; the figures count all).
	SkippedSeconds float64 `json:"skippedSeconds,omitempty"`
	RecordsDropped int     `json:"recordsDropped,omitempty"`
	FaultsUnlisted int     `json:"faultsUnlisted,omitempty"`
	// Eras counts the calendar's rebases of a run past 250 years (one era
	// of 50 years each); what the document lists (faults, incidents, the
	// timeline) is then from the first era only. Cut says why such a run
	// ended before its horizon, if it did.
	Eras int64  `json:"eras,omitempty"`
	Cut  string `json:"cut,omitempty"`
}

// Summary is the run's headline figures.
type Summary struct {
	// MeasuredFrom is when measuring started: 0, or the first commit if later (null if the
	// cluster never committed).
	MeasuredFrom *float64 `json:"measuredFrom"`
	// Leaderless is the time with no running etcd member in the leader
	// state; DualLeader the time with two or more.
	Leaderless         float64        `json:"leaderless"`
	LeaderlessFraction float64        `json:"leaderlessFraction"`
	DualLeader         float64        `json:"dualLeader"`
	Probes             []ProbeSummary `json:"probes"`
	Faults             []FaultSummary `json:"faults"`
	Members            []MemberState  `json:"members"`
	Groups             []GroupSummary `json:"groups"`
	APIServers         []APIServerSum `json:"apiservers"`
	Hosts              int            `json:"hosts"`
	// Nodes and Workloads are present when the worker plane is simulated.
	Nodes     []NodeSummary     `json:"nodes,omitempty"`
	Workloads []WorkloadSummary `json:"workloads,omitempty"`
}

// NodeSummary is a node's Ready condition over the run.
type NodeSummary struct {
	Name          string  `json:"name"`
	NotReady      float64 `json:"notReady"`
	NotReadyCount int     `json:"notReadyCount"`
	ReadyAtEnd    bool    `json:"readyAtEnd"`
}

// WorkloadSummary is a workload's availability.
type WorkloadSummary struct {
	Name         string  `json:"name"`
	Kind         string  `json:"kind"`
	Replicas     int     `json:"replicas"`
	Degraded     float64 `json:"degraded"`
	Down         float64 `json:"down"`
	Replacements int     `json:"replacements"`
	Evicted      int     `json:"evicted"`
	ReadyAtEnd   int     `json:"readyAtEnd"`
}

// GroupSummary is a leader-election group's leadership.
type GroupSummary struct {
	Name             string     `json:"name"`
	NoLeader         float64    `json:"noLeader"`
	SplitBrain       SplitBrain `json:"splitBrain"`
	ActingSplitBrain SplitBrain `json:"actingSplitBrain"`
	Acquisitions     int        `json:"acquisitions"`
	Leader           string     `json:"leader,omitempty"`
}

// SplitBrain lists the intervals two or more candidates led at once.
type SplitBrain struct {
	Count     int          `json:"count"`
	Total     float64      `json:"total"`
	Longest   float64      `json:"longest"`
	Intervals [][2]float64 `json:"intervals"`
}

// APIServerSum is an apiserver's readiness.
type APIServerSum struct {
	Name          string  `json:"name"`
	Host          string  `json:"host"`
	Ready         float64 `json:"ready"`
	ReadyFraction float64 `json:"readyFraction"`
}

// GroupFailover is the time from a fault to a group's next acquisition.
type GroupFailover struct {
	Group string   `json:"group"`
	By    string   `json:"by,omitempty"`
	After *float64 `json:"after"`
}

// ProbeSummary is one probe's availability.
type ProbeSummary struct {
	Name         string  `json:"name"`
	Kind         string  `json:"kind"`
	Period       float64 `json:"period"`
	Timeout      float64 `json:"timeout"`
	Availability float64 `json:"availability"`
	Unavailable  float64 `json:"unavailable"`
	OK           int     `json:"ok"`
	Failed       int     `json:"failed"`
	// Unmeasured is the time (seconds) the probe could not measure, its own
	// host or process down or frozen, and UnmeasuredRequests the requests
	// that cost; neither is in availability.
	Unmeasured         float64 `json:"unmeasured"`
	UnmeasuredRequests int     `json:"unmeasuredRequests"`
}

// FaultSummary is one fault and what followed it (until the next fault).
type FaultSummary struct {
	ID          int      `json:"id"`
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	Description string   `json:"description"`
	Target      string   `json:"target"`
	At          float64  `json:"at"`
	HealedAt    *float64 `json:"healedAt"`
	Skipped     string   `json:"skipped,omitempty"`
	// An operation's end (absent while it runs) and, if it failed, why.
	DoneAt       *float64        `json:"doneAt,omitempty"`
	Error        string          `json:"error,omitempty"`
	LeaderBefore string          `json:"leaderBefore"`
	TermBefore   uint64          `json:"termBefore"`
	NewLeader    *NewLeader      `json:"newLeader"`
	FirstSuccess []ProbeRecovery `json:"firstSuccess"`
	Groups       []GroupFailover `json:"groups"`
}

// NewLeader is the first leader of a higher term after a fault.
type NewLeader struct {
	Member string  `json:"member"`
	Term   uint64  `json:"term"`
	After  float64 `json:"after"`
}

// ProbeRecovery is the time from a fault to a probe's first success.
type ProbeRecovery struct {
	Probe string   `json:"probe"`
	After *float64 `json:"after"`
}

// MemberState is a member at the end of the run.
type MemberState struct {
	Name    string `json:"name"`
	Host    string `json:"host"`
	Process string `json:"process"`
	Role    string `json:"role"`
	Term    uint64 `json:"term"`
	Leader  string `json:"leader,omitempty"`
	// Membership: voter, learner, removed or not added.
	Membership string `json:"membership"`
}

// Event is one timeline entry. Only the fields that apply are present.
type Event struct {
	T      float64 `json:"t"`
	Event  string  `json:"event"`
	Member string  `json:"member,omitempty"`
	Host   string  `json:"host,omitempty"`
	Proc   string  `json:"process,omitempty"`
	Probe  string  `json:"probe,omitempty"`
	Group  string  `json:"group,omitempty"`
	Fault  int     `json:"fault,omitempty"`
	Kind   string  `json:"kind,omitempty"`
	Target string  `json:"target,omitempty"`
	Term   uint64  `json:"term,omitempty"`
	Leader string  `json:"leader,omitempty"`
	Peer   string  `json:"peer,omitempty"`
	Index  uint64  `json:"index,omitempty"`
	Reason string  `json:"reason,omitempty"`
}

// seconds rounds to the microsecond, so that float formatting is stable.
func seconds(d time.Duration) float64 { return math.Round(d.Seconds()*1e6) / 1e6 }

func at(t sim.Time) float64 { return seconds(t.Duration()) }

func ratio(x float64) float64 { return math.Round(x*1e9) / 1e9 }

// NewDocument builds the JSON document of a run.
func NewDocument(scenario string, r model.Result) Document {
	d := Document{FormatVersion: FormatVersion, Scenario: scenario, Seed: r.Seed, Horizon: seconds(r.Horizon),
		Outcome: r.Outcome.String(), Events: r.Events, Timeline: []Event{}, Violations: []string{}}
	if r.Outcome == sim.Livelocked {
		d.Stall = r.Stall.String()
	}
	if r.RatesDefined {
		d.Annual = Annual([]experiment.Run{experiment.Measure(r)})
	}
	d.SkippedSeconds, d.RecordsDropped, d.FaultsUnlisted = seconds(r.Skipped), r.RecordsDropped, r.FaultsUnlisted
	if r.Eras > 0 {
		d.Horizon = math.Round(float64(r.HorizonEras)*fabric.EraLen.Seconds() + r.Horizon.Seconds())
		d.SkippedSeconds = math.Round(r.SkippedSeconds())
		d.Eras, d.Cut = r.Eras, r.Cut
	}
	s := &d.Summary
	measured := measuredSum(r)
	if r.Steady {
		from := at(r.MeasuredFrom)
		s.MeasuredFrom = &from
		s.Leaderless = seconds(r.Leaderless)
		if measured.Seconds() > 0 {
			s.LeaderlessFraction = ratio(fabric.Sum{Rest: r.Leaderless}.Frac(measured))
		}
		s.DualLeader = seconds(r.DualLeader)
	}
	s.Probes, s.Faults, s.Members, s.Groups, s.APIServers = []ProbeSummary{}, []FaultSummary{}, []MemberState{}, []GroupSummary{}, []APIServerSum{}
	s.Hosts = r.Hosts
	for _, g := range r.Groups {
		s.Groups = append(s.Groups, GroupSummary{Name: g.Name, NoLeader: seconds(g.NoLeader), SplitBrain: splitOf(g.SplitBrain),
			ActingSplitBrain: splitOf(g.ActingSplitBrain), Acquisitions: g.Acquisitions, Leader: g.Leader})
	}
	for _, a := range r.APIServers {
		as := APIServerSum{Name: a.Name, Host: a.Host, Ready: math.Round(a.Ready.Seconds()*1e6) / 1e6}
		if measured.Seconds() > 0 {
			as.ReadyFraction = ratio(a.Ready.Frac(measured))
		}
		s.APIServers = append(s.APIServers, as)
	}
	for _, n := range r.Nodes {
		s.Nodes = append(s.Nodes, NodeSummary{Name: n.Name, NotReady: seconds(n.NotReady), NotReadyCount: n.NotReadyCount, ReadyAtEnd: n.ReadyAtEnd})
	}
	for _, wl := range r.Workloads {
		s.Workloads = append(s.Workloads, WorkloadSummary{Name: wl.Name, Kind: string(wl.Kind), Replicas: wl.Replicas, Degraded: seconds(wl.Degraded),
			Down: seconds(wl.Down), Replacements: wl.Replacements, Evicted: wl.Evicted, ReadyAtEnd: wl.ReadyAtEnd})
	}
	for _, p := range r.Probes {
		s.Probes = append(s.Probes, ProbeSummary{Name: p.Name, Kind: string(p.Kind), Period: seconds(p.Period), Timeout: seconds(p.Timeout),
			Availability: ratio(p.Availability), Unavailable: seconds(p.Unavailable), OK: p.OK, Failed: p.Failed,
			Unmeasured: seconds(p.Unmeasured), UnmeasuredRequests: p.UnmeasuredRequests})
	}
	for _, f := range r.Faults {
		fs := FaultSummary{ID: f.ID, Name: f.Name, Kind: string(f.Kind), Description: f.Description, Target: f.Target,
			At: at(f.At), Skipped: f.Skipped, LeaderBefore: f.LeaderBefore, TermBefore: f.TermBefore, FirstSuccess: []ProbeRecovery{},
			Groups: []GroupFailover{}}
		for i, d := range f.GroupFailover {
			gf := GroupFailover{Group: r.Groups[i].Name, By: f.GroupLeader[i]}
			if d >= 0 {
				a := seconds(d)
				gf.After = &a
			}
			fs.Groups = append(fs.Groups, gf)
		}
		if f.Healed {
			h := at(f.HealedAt)
			fs.HealedAt = &h
		}
		if f.Operation && f.DoneAt > 0 {
			d := at(f.DoneAt)
			fs.DoneAt, fs.Error = &d, f.Error
		}
		if f.NewLeaderAfter >= 0 {
			fs.NewLeader = &NewLeader{Member: f.NewLeader, Term: f.NewLeaderTerm, After: seconds(f.NewLeaderAfter)}
		}
		for i, ok := range f.FirstSuccess {
			pr := ProbeRecovery{Probe: r.Probes[i].Name}
			if ok >= 0 {
				a := seconds(ok)
				pr.After = &a
			}
			fs.FirstSuccess = append(fs.FirstSuccess, pr)
		}
		s.Faults = append(s.Faults, fs)
	}
	for _, m := range r.Members {
		s.Members = append(s.Members, MemberState{Name: m.Name, Host: m.Host, Process: m.Process.String(), Role: m.Role.String(), Term: m.Term, Leader: m.Leader, Membership: m.Membership})
	}
	for _, e := range r.Timeline {
		d.Timeline = append(d.Timeline, Event{T: at(e.T), Event: e.Event, Member: e.Member, Host: e.Host, Proc: e.Proc,
			Probe: e.Probe, Group: e.Group, Fault: e.Fault, Kind: e.Kind, Target: e.Target, Term: e.Term, Leader: e.Leader,
			Peer: e.Peer, Index: e.Index, Reason: e.Reason})
	}
	for _, v := range r.Violations {
		d.Violations = append(d.Violations, v.String())
	}
	return d
}

// WriteJSON writes the document, indented, with a final newline.
func WriteJSON(w io.Writer, d Document) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

func splitOf(iv []model.Interval) SplitBrain {
	sb := SplitBrain{Intervals: [][2]float64{}}
	for _, x := range iv {
		d := seconds(x.To.Sub(x.From))
		sb.Count++
		sb.Total = math.Round((sb.Total+d)*1e6) / 1e6
		sb.Longest = max(sb.Longest, d)
		sb.Intervals = append(sb.Intervals, [2]float64{at(x.From), at(x.To)})
	}
	return sb
}
