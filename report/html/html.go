// Package html writes a run as one self-contained, interactive HTML page:
// the run's lanes (zones, hosts, etcd members, apiservers, load-balancer
// backends, leader groups, lease records, probes) with the faults as
// labelled bands, a time cursor that steps event by event, the narration
// beside it and the state of everything at the cursor. The page needs no
// network: its script and styles are inline and the run's data is
// embedded as JSON. It is written with html/template and plain
// JavaScript; there is no build step.
package html

import (
	_ "embed"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"hasim/model"
	"hasim/report"
	"hasim/sim"
)

//go:embed page.html
var pageSource string

var page = template.Must(template.New("page").Parse(pageSource))

// Page is what the page embeds: the run, ready for the script.
type Page struct {
	Scenario    string  `json:"scenario"`
	Description string  `json:"description"`
	Seed        uint64  `json:"seed"`
	End         float64 `json:"end"` // seconds
	Hosts       []Host  `json:"hosts"`
	Lanes       []Lane  `json:"lanes"`
	Faults      []Fault `json:"faults"`
	Groups      []Group `json:"groups"`
	Lines       []Line  `json:"lines"`
	// Strings are the states and names spans refer to by index.
	Strings []string `json:"strings"`
	// Cut is where the lanes and the narration end when the timeline did
	// not keep every record (Dropped records after it); 0 if it did.
	Cut     float64 `json:"cut,omitempty"`
	Dropped int     `json:"dropped,omitempty"`
	// Window is the stretch the page opens zoomed to, in seconds; [0, 0]:
	// the whole run.
	Window [2]float64 `json:"window"`
	// Renewals says whether the run's timeline keeps lease renewals (a
	// run with failure processes leaves them out): without them a lease
	// record's write time is its acquisition's.
	Renewals bool `json:"renewals"`
	// Diverge is, on the page of a what-if, when it first differs from
	// the original run (seconds; Branched false if it never does).
	Diverge  float64 `json:"diverge,omitempty"`
	Branched bool    `json:"branched,omitempty"`
}

// Host is a host with its zone, colour and processes.
type Host struct {
	Name   string   `json:"name"`
	Zone   string   `json:"zone,omitempty"`
	Colour string   `json:"colour"`
	Procs  []string `json:"procs"`
	Roles  []string `json:"roles"`
}

// Lane is a model lane in seconds.
type Lane struct {
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	Host  string `json:"host,omitempty"`
	Zone  string `json:"zone,omitempty"`
	Spans []Span `json:"spans"`
	Marks []Mark `json:"marks,omitempty"`
}

// Span is a model span: from, to (seconds), state and who (a process or
// member; indices into Page.Strings, -1 for none), term and rate where
// they apply. It is written as an array, [from, to, state, who, term,
// rate] less its trailing zeros: a long run's lease records have
// thousands of spans.
type Span struct {
	From, To   float64
	State, Who int
	Term       uint64
	Rate       float64
}

// MarshalJSON implements json.Marshaler.
func (s Span) MarshalJSON() ([]byte, error) {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	parts := []string{f(s.From), f(s.To), strconv.Itoa(s.State), strconv.Itoa(s.Who), strconv.FormatUint(s.Term, 10), f(s.Rate)}
	n := len(parts)
	for n > 3 && (parts[n-1] == "0" || n == 4 && parts[3] == "-1") {
		n--
	}
	return []byte("[" + strings.Join(parts[:n], ",") + "]"), nil
}

// Mark is an instant on a lane.
type Mark struct {
	T     float64 `json:"t"`
	Label string  `json:"l"`
}

// Fault is a fault or operation as a band: from, to, its number, name and
// what it did.
type Fault struct {
	ID          int     `json:"id"`
	Name        string  `json:"name"`
	Kind        string  `json:"kind"`
	Target      string  `json:"target"`
	Description string  `json:"description"`
	From        float64 `json:"f"`
	To          float64 `json:"t"`
	Operation   bool    `json:"op,omitempty"`
	Skipped     string  `json:"skipped,omitempty"`
}

// Group is a leader group's split brain: the intervals in which two or
// more believed they led, and those in which two or more also acted.
type Group struct {
	Name   string       `json:"name"`
	Split  [][2]float64 `json:"split"`
	Acting [][2]float64 `json:"acting"`
}

// Line is a line of the narration: time, text and what it is about ("fault",
// "leader" for a change of leadership, "" otherwise).
type Line struct {
	T    float64 `json:"t"`
	Text string  `json:"x"`
	Tag  string  `json:"g,omitempty"`
	// New marks, on the page of a what-if, a line the original run does
	// not have.
	New bool `json:"n,omitempty"`
}

// sec is a time in seconds, to the microsecond.
func sec(t sim.Time) float64 { return math.Round(t.Seconds()*1e6) / 1e6 }

// leaderEvents are the records that change who leads.
var leaderEvents = []string{model.EvLeader, model.EvStepDown, model.EvLeaseAcquired, model.EvLeaseLost, model.EvLeaseReleased}

// Options are how a page shows a run: Verbose narrates routine events
// too; From and To (if To > From) are the window it opens zoomed to.
type Options struct {
	Verbose  bool
	From, To time.Duration
	// Original, on the page of a what-if, is the run it branches from:
	// the page marks where the two first diverge and the lines only the
	// what-if has.
	Original *model.Result
}

// NewPage gathers what the page shows of a run.
func NewPage(scenario, description string, r model.Result, o Options) Page {
	p := Page{Scenario: scenario, Description: description, Seed: r.Seed, End: math.Round(r.EndSeconds()*1e6) / 1e6,
		Hosts: []Host{}, Lanes: []Lane{}, Faults: []Fault{}, Groups: []Group{}, Lines: []Line{}, Strings: []string{}}
	if r.RecordsDropped > 0 {
		p.Cut, p.Dropped = sec(model.LanesEnd(r)), r.RecordsDropped
	}
	index := map[string]int{}
	str := func(s string) int {
		if s == "" {
			return -1
		}
		i, ok := index[s]
		if !ok {
			i = len(p.Strings)
			index[s] = i
			p.Strings = append(p.Strings, s)
		}
		return i
	}
	if o.To > o.From {
		p.Window = [2]float64{sec(sim.At(o.From)), min(sec(sim.At(o.To)), p.End)}
	}
	colours := report.HostColours(r)
	for _, name := range model.LaneHosts(r) {
		h := Host{Name: name, Colour: colours[name], Procs: []string{}, Roles: []string{}}
		for _, hr := range r.HostList {
			if hr.Name == name {
				h.Zone, h.Procs, h.Roles = hr.Zone, append(h.Procs, hr.Procs...), append(h.Roles, hr.Roles...)
			}
		}
		p.Hosts = append(p.Hosts, h)
	}
	for _, ln := range r.Lanes {
		l := Lane{Kind: string(ln.Kind), Name: ln.Name, Host: ln.Host, Zone: ln.Zone, Spans: []Span{}}
		for _, sp := range ln.Spans {
			l.Spans = append(l.Spans, Span{From: sec(sp.From), To: sec(sp.To), State: str(sp.State), Who: str(sp.Who), Term: sp.Term, Rate: sp.Rate})
		}
		for _, m := range ln.Marks {
			l.Marks = append(l.Marks, Mark{T: sec(m.T), Label: m.Label})
		}
		if ln.Kind == model.LaneLease && len(ln.Spans) > 0 {
			p.Renewals = p.Renewals || slices.ContainsFunc(r.Timeline, func(rec model.Record) bool { return rec.Event == model.EvLeaseRenewed })
		}
		p.Lanes = append(p.Lanes, l)
	}
	for _, f := range r.Faults {
		to := r.End
		switch {
		case f.Healed:
			to = f.HealedAt
		case f.Operation && f.DoneAt > 0:
			to = f.DoneAt
		}
		p.Faults = append(p.Faults, Fault{ID: f.ID, Name: f.Name, Kind: string(f.Kind), Target: f.Target, Description: f.Description,
			From: sec(f.At), To: sec(max(to, f.At)), Operation: f.Operation, Skipped: f.Skipped})
	}
	for _, g := range r.Groups {
		gr := Group{Name: g.Name, Split: [][2]float64{}, Acting: [][2]float64{}}
		for _, iv := range g.SplitBrain {
			gr.Split = append(gr.Split, [2]float64{sec(iv.From), sec(iv.To)})
		}
		for _, iv := range g.ActingSplitBrain {
			gr.Acting = append(gr.Acting, [2]float64{sec(iv.From), sec(iv.To)})
		}
		p.Groups = append(p.Groups, gr)
	}
	narration := report.Narration(r, o.Verbose)
	var fresh []bool // by line of narration: only the what-if has it
	if o.Original != nil {
		aligned, first := report.AlignTimelines(report.Narration(*o.Original, o.Verbose), narration)
		if first >= 0 {
			p.Diverge, p.Branched = sec(aligned[first].T), true
		}
		for _, l := range aligned {
			if l.Side != 'A' {
				fresh = append(fresh, l.Side == 'B')
			}
		}
	}
	for i, l := range narration {
		tag := ""
		switch {
		case l.Event == model.EvFaultInjected || l.Event == model.EvFaultHealed:
			tag = "fault"
		case slices.Contains(leaderEvents, l.Event):
			tag = "leader"
		}
		p.Lines = append(p.Lines, Line{T: sec(l.T), Text: l.Text, Tag: tag, New: i < len(fresh) && fresh[i]})
	}
	return p
}

// Write writes the page of a run of the scenario (its name and
// description) to w.
func Write(w io.Writer, scenario, description string, r model.Result, o Options) error {
	return page.Execute(w, NewPage(scenario, description, r, o))
}
