package report

import (
	"fmt"
	"io"
	"math"

	tw "github.com/olekukonko/tablewriter/tw"

	"hasim/experiment"
	"hasim/experiment/closedform"
)

// ClosedFormFigures are a scenario's closed forms beside its simulated
// figures per year: steady-state availability of the etcd quorum, the API
// endpoint and writes, from the failure processes' rates as a Markov
// chain, with instant failover (experiment/closedform). The gap between
// the simulated writes and these is what failover dynamics cost.
type ClosedFormFigures struct {
	// Assumption says what the figures assume and which failure classes
	// they leave out.
	Assumption string              `json:"assumption"`
	Functions  []ClosedFormMeasure `json:"functions"`
}

// ClosedFormMeasure is one function's closed form.
type ClosedFormMeasure struct {
	Name            string  `json:"name"`
	Availability    float64 `json:"availability"`
	Nines           float64 `json:"nines"`
	DowntimePerYear float64 `json:"downtimePerYearSeconds"`
	OutagesPerYear  float64 `json:"outagesPerYear"`
	MeanOutage      float64 `json:"meanOutageSeconds"`
}

// ClosedFormOf turns experiment's closed form into report figures.
func ClosedFormOf(cf experiment.ClosedForm) *ClosedFormFigures {
	out := &ClosedFormFigures{Assumption: cf.Assumption}
	add := func(name string, m closedform.Measure) {
		nines := m.Nines
		if math.IsInf(nines, 1) {
			nines = math.MaxFloat64 // JSON has no infinity; fmtNines prints ∞
		}
		out.Functions = append(out.Functions, ClosedFormMeasure{Name: name, Availability: m.Availability, Nines: nines,
			DowntimePerYear: m.DowntimePerYear.Seconds(), OutagesPerYear: m.OutagesPerYear, MeanOutage: m.MeanOutage.Seconds()})
	}
	if cf.Result.API {
		add("writes", cf.Result.Writes)
		add("API endpoint", cf.Result.Endpoint)
	}
	add("etcd quorum", cf.Result.Quorum)
	return out
}

// writeClosedForm prints the closed forms under the simulated figures.
func writeClosedForm(w io.Writer, cf *ClosedFormFigures) error {
	fmt.Fprintf(w, "\nClosed form beside it (%s):\n", cf.Assumption)
	t := newTable(w, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight)
	t.Header("function", "availability", "nines", "downtime / year", "outages / year", "mean outage")
	for _, m := range cf.Functions {
		nines := m.Nines
		if nines == math.MaxFloat64 {
			nines = math.Inf(1)
		}
		if err := t.Append([]string{m.Name, fmtPct(m.Availability), fmtNines(nines), fmtDuration(m.DowntimePerYear),
			fmtRate(m.OutagesPerYear), fmtDuration(m.MeanOutage)}); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	fmt.Fprintln(w, "The simulated downtime above the closed form's is what failover costs: detection, elections, lease")
	fmt.Fprintln(w, "takeovers, health checks and reconnections, which the closed form takes as instant.")
	return nil
}
