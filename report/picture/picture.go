// Package picture draws a run's timeline and a comparison as SVG or PNG
// with gonum/plot. It reads results only. It lives apart from package
// report so that the plotting library stays out of code that does not
// draw.
package picture

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"hasim/model"
	"hasim/report"
	"hasim/sim"
)

// Colours of lane segments.
var (
	colUp       = color.RGBA{R: 0x6a, G: 0xbf, B: 0x69, A: 0xff}
	colDown     = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
	colPaused   = color.RGBA{R: 0xff, G: 0x9f, B: 0x1c, A: 0xff}
	colSplit    = color.NRGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0x1c}
	colUnready  = color.RGBA{R: 0xf2, G: 0xb8, B: 0xb5, A: 0xff}
	colPartial  = color.RGBA{R: 0xf4, G: 0xa5, B: 0x82, A: 0xff}
	colActing   = color.NRGBA{R: 0x8b, G: 0x00, B: 0x00, A: 0xff}
	colFault    = color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0x40}
	colFaultEdg = color.RGBA{R: 0x33, G: 0x33, B: 0x33, A: 0xff}
	colOp       = color.NRGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0x30}
	colAbsent   = color.RGBA{R: 0xdd, G: 0xdd, B: 0xdd, A: 0xff}
	palette     = []color.Color{
		color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
		color.RGBA{R: 0x17, G: 0xbe, B: 0xcf, A: 0xff}, color.RGBA{R: 0x8c, G: 0x56, B: 0x4b, A: 0xff},
		color.RGBA{R: 0xe3, G: 0x77, B: 0xc2, A: 0xff}, color.RGBA{R: 0xbc, G: 0xbd, B: 0x22, A: 0xff},
		color.RGBA{R: 0x7f, G: 0x7f, B: 0x7f, A: 0xff},
	}
)

// segment is a coloured stretch of a lane, optionally labelled; a group
// lane's leaders stack in slots when two lead at once.
type segment struct {
	from, to      float64
	col           color.Color
	label         string
	slot, nslots  int
	light         bool // the label is white (on a dark colour)
	outline, thin bool // a split brain's band: outlined, drawn over the lane
}

// mark is an instant on a lane: a process exiting or restarting.
type mark struct {
	at    float64
	label string
}

// lane is one row of the picture.
type lane struct {
	name  string
	host  color.Color // the colour of the host the lane belongs to, if any
	segs  []segment
	marks []mark
}

// span is a fault or an operation drawn across the lanes, labelled.
type span struct {
	from, to float64
	col      color.Color
	label    string
}

// lanes is the plotter drawing every lane, and the faults across them.
type lanes struct {
	rows       []lane // bottom first
	faults     []span
	xmin, xmax float64
}

// labelRows is the room above the lanes for the faults' labels, in lanes.
const labelRows = 1.3

// Plot implements plot.Plotter.
func (l *lanes) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	top := float64(len(l.rows)) - 0.5
	small := func(size float64, col color.Color, align draw.XAlignment) draw.TextStyle {
		return draw.TextStyle{Color: col, Font: font.From(plot.DefaultFont, vg.Points(size)), XAlign: align, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler}
	}
	rect := func(col color.Color, x0, x1, y0, y1 vg.Length) {
		c.FillPolygon(col, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
	}
	// Faults: a shaded band each, labelled above the lanes; a label that
	// would run into the one before goes a row higher.
	faultSty := small(7.5, color.Black, draw.XLeft)
	var labelEnd [2]vg.Length
	for i := range labelEnd {
		labelEnd[i] = -1e9
	}
	for _, f := range l.faults {
		x0, x1 := trX(f.from), trX(max(f.to, f.from+0.001))
		y0, y1 := trY(-0.5), trY(top)
		rect(f.col, x0, max(x1, x0+1), y0, y1)
		c.StrokeLine2(draw.LineStyle{Color: colFaultEdg, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}, x0, y0, x0, trY(top+labelRows))
		row := 0
		if x0 < labelEnd[0] {
			row = 1
		}
		if x0 < labelEnd[row] {
			continue // no room: many faults close together (draw a window to see them)
		}
		c.FillText(faultSty, vg.Point{X: x0 + vg.Points(2), Y: trY(top + 0.35 + 0.55*float64(row))}, f.label)
		labelEnd[row] = x0 + faultSty.Width(f.label) + vg.Points(6)
	}
	var labels []func()
	for i, row := range l.rows {
		y := float64(i)
		if row.host != nil {
			// The lane's host colour, as a strip at its start.
			x0 := trX(l.xmin)
			rect(row.host, x0-vg.Points(5), x0-vg.Points(1), trY(y-0.34), trY(y+0.34))
		}
		for _, s := range row.segs {
			x0, x1 := trX(s.from), trX(s.to)
			if x1-x0 < vg.Points(0.6) {
				x1 = x0 + vg.Points(0.6)
			}
			y0, y1 := trY(y-0.34), trY(y+0.34)
			if s.nslots > 1 {
				h := 0.68 / float64(s.nslots)
				y0, y1 = trY(y-0.34+h*float64(s.slot)), trY(y-0.34+h*float64(s.slot+1))
			}
			if s.outline {
				y0, y1 = trY(y-0.47), trY(y+0.47)
				rect(s.col, x0, x1, y0, y1)
				w := 0.8
				if s.thin {
					w = 1.6
				}
				ls := draw.LineStyle{Color: colActing, Width: vg.Points(w)}
				c.StrokeLines(ls, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}, {X: x0, Y: y0}})
				if s.label != "" {
					lab, xx := s.label, x0
					labels = append(labels, func() {
						c.FillText(small(6.5, colActing, draw.XLeft), vg.Point{X: xx + vg.Points(1), Y: trY(y+0.47) + vg.Points(3.5)}, lab)
					})
				}
				continue
			}
			rect(s.col, x0, x1, y0, y1)
			if s.label != "" {
				col := color.Color(color.Black)
				if s.light {
					col = color.White
				}
				size := 7.0
				if s.nslots > 1 {
					size = 6
				}
				sty := small(size, col, draw.XLeft)
				if x1-x0 > sty.Width(s.label)+vg.Points(4) {
					lab, xx, yy := s.label, x0, (y0+y1)/2
					labels = append(labels, func() { c.FillText(sty, vg.Point{X: xx + vg.Points(2), Y: yy}, lab) })
				}
			}
		}
		var lastEnd vg.Length = -1e9
		for _, m := range row.marks {
			x := trX(m.at)
			yt := trY(y + 0.34)
			c.FillPolygon(color.Black, []vg.Point{{X: x - vg.Points(3), Y: yt + vg.Points(3)}, {X: x + vg.Points(3), Y: yt + vg.Points(3)}, {X: x, Y: yt - vg.Points(3)}})
			if m.label != "" && x > lastEnd {
				sty := small(6.5, color.Black, draw.XLeft)
				lab, xx := m.label, x
				labels = append(labels, func() { c.FillText(sty, vg.Point{X: xx + vg.Points(4), Y: trY(y)}, lab) })
				lastEnd = x + sty.Width(m.label) + vg.Points(6)
			}
		}
	}
	for _, f := range labels {
		f()
	}
}

// DataRange implements plot.DataRanger.
func (l *lanes) DataRange() (xmin, xmax, ymin, ymax float64) {
	return l.xmin, l.xmax, -0.5, float64(len(l.rows)) - 0.5 + labelRows
}

func sec(t sim.Time) float64 { return t.Seconds() }

// Window is the stretch of a run a timeline picture shows; the zero
// Window shows all of it.
type Window struct{ From, To sim.Time }

// pictured are the lanes a timeline picture draws: the interactive page
// shows the rest (members, lease records, clocks).
var pictured = []model.LaneKind{model.LaneZone, model.LaneHost, model.LaneAPIServer, model.LaneBackend, model.LaneGroup, model.LaneProbe}

// Timeline draws a whole run (TimelineWindow).
func Timeline(scenario string, r model.Result) *plot.Plot {
	return TimelineWindow(scenario, r, Window{})
}

// TimelineWindow draws a run within a window: a lane per zone and host
// (load balancers and clients too; up, down, a paused process, process
// exits and restarts marked), per apiserver (/readyz), per load-balancer
// backend (up or DOWN), per leader group (who leads, in the leader's host
// colour, split brain outlined in red) and per probe (available or not),
// with the faults as labelled shaded spans. Every host has one colour,
// the same in every lane.
func TimelineWindow(scenario string, r model.Result, w Window) *plot.Plot {
	from, to := 0.0, r.EndSeconds()
	if w.To > w.From {
		from, to = sec(w.From), min(sec(w.To), to)
		if to <= from {
			to = from + 1
		}
	}
	colours := map[string]color.Color{}
	for h, hex := range report.HostColours(r) {
		colours[h] = parseHex(hex)
	}
	var rows []lane
	for _, ln := range r.Lanes {
		if slices.Contains(pictured, ln.Kind) {
			rows = append(rows, clip(drawLane(r, ln, colours), from, to))
		}
	}
	slices.Reverse(rows) // NominalY counts from the bottom

	l := &lanes{rows: rows, xmin: from, xmax: to}
	for _, f := range r.Faults {
		end, col := r.EndSeconds(), color.Color(colFault)
		switch {
		case f.Healed:
			end = sec(f.HealedAt)
		case f.Operation:
			col = colOp
			if f.DoneAt > 0 {
				end = sec(f.DoneAt)
			}
		}
		if f.Skipped != "" || end < from || sec(f.At) > to {
			continue
		}
		l.faults = append(l.faults, span{from: max(sec(f.At), from), to: min(end, to), col: col, label: FaultLabel(f)})
	}
	p := plot.New()
	window := ""
	if from > 0 || to < r.EndSeconds() {
		window = fmt.Sprintf(", %v to %v", sim.At(time.Duration(from*1e9)), sim.At(time.Duration(to*1e9)))
	}
	p.Title.Text = fmt.Sprintf("%s (seed %d%s)\ngreen: up, available, ready; red: down, failing, not running; pink: /readyz failing; salmon: a zone partly down; orange: paused; ▼: a process exits or restarts\nleaders in their host's colour (the strip at each lane's start); red outline: split brain (thick: both acting); grey: a fault%s",
		scenario, r.Seed, window, opLegend(r))
	if r.RecordsDropped > 0 {
		p.Title.Text += fmt.Sprintf("\nthe timeline kept its first records only: the lanes stop at %v, the last one kept", model.LanesEnd(r))
	}
	p.Title.TextStyle.Font.Size = vg.Points(8.5)
	p.X.Label.Text = "simulated time (s)"
	p.X.Min, p.X.Max = from, to
	p.Add(l)
	var names []string
	for _, row := range rows {
		names = append(names, row.name)
	}
	p.NominalY(names...)
	p.Y.Tick.Label.Font.Size = vg.Points(8)
	return p
}

// FaultLabel is a fault's label: its number and name, and its kind
// where the name does not say it.
func FaultLabel(f model.FaultResult) string {
	if f.Name == "" || f.Name == string(f.Kind) {
		return fmt.Sprintf("%d: %s", f.ID, f.Kind)
	}
	return fmt.Sprintf("%d: %s (%s)", f.ID, f.Name, f.Kind)
}

// clip keeps the part of a lane within [from, to].
func clip(row lane, from, to float64) lane {
	out := row
	out.segs, out.marks = nil, nil
	for _, s := range row.segs {
		if s.to <= from || s.from >= to {
			continue
		}
		s.from, s.to = max(s.from, from), min(s.to, to)
		out.segs = append(out.segs, s)
	}
	for _, m := range row.marks {
		if m.at >= from && m.at <= to {
			out.marks = append(out.marks, m)
		}
	}
	return out
}

// parseHex reads a colour written #rrggbb.
func parseHex(s string) color.Color {
	var c color.RGBA
	c.A = 0xff
	fmt.Sscanf(s, "#%02x%02x%02x", &c.R, &c.G, &c.B)
	return c
}

// opLegend explains operations in the title, if the run has any.
func opLegend(r model.Result) string {
	if !slices.ContainsFunc(r.Faults, func(f model.FaultResult) bool { return f.Operation }) {
		return ""
	}
	return "; blue: an operation (kubeadm join, member remove); light grey: a host not yet joined"
}

// stateColours are the colours of host, zone, apiserver, backend and
// probe states.
var stateColours = map[string]color.Color{
	model.StateUp: colUp, model.StateOK: colUp, model.StateReady: colUp, model.StateDown: colDown, model.StateFailing: colDown,
	model.StateStopped: colDown, model.StatePaused: colPaused, model.StateAbsent: colAbsent, model.StateUnready: colUnready,
	model.StatePartial: colPartial,
}

// drawLane turns a lane of the result into a row of the picture: states in
// their colours; a group's leaders each in their host's colour, labelled
// with the host, stacked when two lead at once, with the group's split
// brain outlined over them.
func drawLane(r model.Result, ln model.Lane, colours map[string]color.Color) lane {
	row := lane{name: string(ln.Kind) + " " + ln.Name}
	switch ln.Kind {
	case model.LaneGroup:
		row.name = ln.Name + " leader"
	case model.LaneAPIServer:
		row.name = ln.Name + " /readyz"
	case model.LaneBackend:
		row.name = ln.Name
	}
	if ln.Host != "" && ln.Kind != model.LaneZone {
		row.host = colours[ln.Host]
	}
	var ends []sim.Time // a group's slots: when each is free again
	nslots := 1
	if ln.Kind == model.LaneGroup {
		for _, sp := range ln.Spans {
			k := slices.IndexFunc(ends, func(e sim.Time) bool { return e <= sp.From })
			if k < 0 {
				ends = append(ends, 0)
				k = len(ends) - 1
			}
			ends[k] = sp.To
		}
		nslots = max(1, len(ends))
		ends = ends[:0]
	}
	for _, sp := range ln.Spans {
		seg := segment{from: sec(sp.From), to: sec(sp.To), col: stateColours[sp.State]}
		switch {
		case sp.State == model.StateLeading:
			host := report.HostOf(r, sp.Who)
			seg.col, seg.label, seg.light = colours[host], short(sp.Who), true
			if seg.col == nil {
				seg.col = colFaultEdg
			}
			k := slices.IndexFunc(ends, func(e sim.Time) bool { return e <= sp.From })
			if k < 0 {
				ends = append(ends, 0)
				k = len(ends) - 1
			}
			ends[k] = sp.To
			seg.slot, seg.nslots = k, nslots
		case ln.Kind == model.LaneBackend && sp.State == model.StateDown:
			seg.label, seg.light = "DOWN", true
		case ln.Kind == model.LaneAPIServer && sp.State == model.StateUnready:
			seg.label = "/readyz failing"
		case ln.Kind == model.LaneAPIServer && sp.State == model.StateStopped:
			seg.label, seg.light = "not running", true
		case ln.Kind == model.LaneHost && sp.State == model.StateDown:
			seg.label, seg.light = "down", true
		case sp.State == model.StatePaused:
			seg.label = "paused"
		}
		row.segs = append(row.segs, seg)
	}
	for _, m := range ln.Marks {
		label := ""
		if strings.Contains(m.Label, "restarted by the kubelet") {
			name := strings.TrimSuffix(m.Label, " restarted by the kubelet")
			label = strings.TrimSuffix(name, "-"+ln.Name) + " restarted"
		}
		row.marks = append(row.marks, mark{at: sec(m.T), label: label})
	}
	if ln.Kind == model.LaneGroup {
		for _, g := range r.Groups {
			if g.Name != ln.Name {
				continue
			}
			for _, iv := range g.SplitBrain {
				row.segs = append(row.segs, segment{from: sec(iv.From), to: sec(iv.To), col: colSplit, label: "split brain", outline: true})
			}
			for _, iv := range g.ActingSplitBrain {
				row.segs = append(row.segs, segment{from: sec(iv.From), to: sec(iv.To), col: colSplit, label: "both acting", outline: true, thin: true})
			}
		}
	}
	return row
}

// short is the host a leader-elected process runs on (its name less its
// role, model.HostProcessName), or an etcd member's name.
func short(name string) string {
	for _, role := range model.LeaderElectedRoles() {
		name = strings.TrimPrefix(name, role+"-")
	}
	return name
}

// measure is one figure the comparison measured, per scenario.
type measure struct {
	name string
	get  func(report.ScenarioComparison) report.Estimate
}

// scripted are the figures a comparison of scripted scenarios draws: write
// downtime per incident always, the others where some scenario has them.
var scripted = []measure{
	{"write downtime per incident", func(s report.ScenarioComparison) report.Estimate { return s.WriteDowntimePerIncident }},
	{"read downtime per incident", func(s report.ScenarioComparison) report.Estimate { return s.ReadDowntimePerIncident }},
	{"split brain per run", func(s report.ScenarioComparison) report.Estimate { return s.SplitBrain }},
	{"acting split brain per run", func(s report.ScenarioComparison) report.Estimate { return s.ActingSplitBrain }},
}

// Comparison draws, per scenario, what its runs measure, with its
// confidence interval: write downtime per year when every scenario's
// failures arrive at rates (by failure class when the figures per year
// have them), else, side by side, the write and read downtime per
// incident and the split brain per run (scripted faults define no rate).
// The axis leaves room above the highest interval; when every figure is
// zero it runs to 1 and the title says so.
func Comparison(c report.Comparison) *plot.Plot {
	annual := !slices.ContainsFunc(c.Scenarios, func(s report.ScenarioComparison) bool { return !s.RatesDefined })
	if annual && !slices.ContainsFunc(c.Scenarios, func(s report.ScenarioComparison) bool { return s.Annual == nil || len(s.Annual.Functions) == 0 }) {
		return annualComparison(c)
	}
	p := plot.New()
	p.Title.Padding = vg.Points(8)
	measures, unit, scale := scripted[:1], "seconds", 1.0
	if annual {
		measures = []measure{{"write downtime per year", func(s report.ScenarioComparison) report.Estimate { return *s.DowntimePerYear }}}
		unit, scale = "hours", 3600
	} else {
		for _, m := range scripted[1:] {
			if slices.ContainsFunc(c.Scenarios, func(s report.ScenarioComparison) bool { v := m.get(s).Value; return v > 0 && !math.IsNaN(v) }) {
				measures = append(measures, m)
			}
		}
	}
	what := measures[0].name
	if len(measures) > 1 {
		what = "downtime per incident"
		if slices.ContainsFunc(measures, func(m measure) bool { return strings.Contains(m.name, "split brain") }) {
			what = "downtime and split brain"
		}
		p.Legend.Top = true
	}
	var names []string
	for _, s := range c.Scenarios {
		names = append(names, s.Scenario)
	}
	width := vg.Points(min(120, 500/float64(len(names)+1)) / float64(len(measures)))
	top := 0.0
	type xyErr struct {
		plotter.XYs
		plotter.YErrors
	}
	for k, m := range measures {
		var vals plotter.Values
		var errs plotter.YErrors
		for _, s := range c.Scenarios {
			e := m.get(s)
			v, lo, hi := e.Value/scale, e.Lo/scale, e.Hi/scale
			if math.IsNaN(v) {
				v, lo, hi = 0, 0, 0
			}
			if e.Short() || math.IsNaN(lo) || math.IsNaN(hi) { // no interval to draw
				lo, hi = v, v
			}
			vals = append(vals, v)
			errs = append(errs, struct{ Low, High float64 }{v - lo, hi - v})
			top = max(top, v, hi)
		}
		bars, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return p
		}
		bars.Color = palette[k%len(palette)]
		bars.LineStyle.Width = 0
		offset := (float64(k) - float64(len(measures)-1)/2) * float64(width)
		bars.Offset = vg.Length(offset)
		p.Add(bars)
		if len(measures) > 1 {
			p.Legend.Add(m.name, bars)
		}
		pts := make(plotter.XYs, len(vals))
		for i, v := range vals {
			pts[i].X, pts[i].Y = float64(i), v
		}
		if eb, err := plotter.NewYErrorBars(xyErr{pts, errs}); err == nil {
			eb.Width = vg.Points(min(16, float64(width)*0.6))
			eb.LineStyle.Width = vg.Points(1.2)
			// Error bars have no offset of their own: shift them with the bars.
			p.Add(shifted{eb, vg.Length(offset)})
		}
	}
	p.Title.Text = fmt.Sprintf("%s, with %g%% confidence intervals (%d runs per scenario)", what, report.Level*100, c.Runs)
	p.Y.Label.Text = fmt.Sprintf("%s (%s)", what, unit)
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(names))-0.4
	p.X.Tick.Label.Rotation = 0.35
	p.X.Tick.Label.XAlign = draw.XRight
	p.Y.Min, p.Y.Max = 0, top*1.15
	if top == 0 {
		p.Y.Max = 1
		p.Title.Text += "\nevery scenario measured zero"
	}
	return p
}

// shifted draws a plotter moved sideways by dx on the canvas (the error
// bars of one bar of a group).
type shifted struct {
	p  *plotter.YErrorBars
	dx vg.Length
}

// Plot implements plot.Plotter.
func (s shifted) Plot(c draw.Canvas, p *plot.Plot) {
	c.Rectangle.Min.X += s.dx
	c.Rectangle.Max.X += s.dx
	s.p.Plot(c, p)
}

// DataRange implements plot.DataRanger.
func (s shifted) DataRange() (xmin, xmax, ymin, ymax float64) { return s.p.DataRange() }

// causeColours is how many failure classes the yearly comparison draws
// apart; the rest stack as "other classes".
const causeColours = 6

// annualComparison draws, per scenario, the write downtime per year
// stacked by failure class (the costliest classes over all scenarios in
// colour, the rest together), the 95% interval of the total, and the
// closed form's downtime (instant failover) as a cross.
func annualComparison(c report.Comparison) *plot.Plot {
	p := plot.New()
	p.Title.Padding = vg.Points(8)
	p.Title.Text = fmt.Sprintf("write downtime per year by failure class, %g%% intervals; x: the closed form (instant failover)", report.Level*100)
	p.Y.Label.Text = "write downtime per year (minutes)"
	// The classes, costliest first over all scenarios.
	total := map[string]float64{}
	var classes []string
	for _, s := range c.Scenarios {
		for _, k := range s.Annual.Causes.Classes {
			if _, ok := total[k.Class]; !ok {
				classes = append(classes, k.Class)
			}
			total[k.Class] += k.DowntimePerYear
		}
	}
	slices.SortStableFunc(classes, func(a, b string) int {
		switch {
		case total[a] > total[b]:
			return -1
		case total[a] < total[b]:
			return 1
		}
		return strings.Compare(a, b)
	})
	shown := classes[:min(len(classes), causeColours)]
	stacks := make([]plotter.Values, len(shown)+1) // the last: other classes
	var names []string
	var pts, cross plotter.XYs
	var errs plotter.YErrors
	for i, s := range c.Scenarios {
		a := s.Annual
		for k := range stacks {
			stacks[k] = append(stacks[k], 0)
		}
		for _, k := range a.Causes.Classes {
			j := slices.Index(shown, k.Class)
			if j < 0 {
				j = len(shown)
			}
			stacks[j][i] += k.DowntimePerYear / 60
		}
		e := a.Functions[0].DowntimePerYear
		v, lo, hi := e.Value/60, e.Lo/60, e.Hi/60
		if e.Short() || math.IsNaN(lo) || math.IsNaN(hi) {
			lo, hi = v, v
		}
		pts = append(pts, plotter.XY{X: float64(i), Y: v})
		errs = append(errs, struct{ Low, High float64 }{v - lo, hi - v})
		if a.ClosedForm != nil && len(a.ClosedForm.Functions) > 0 && a.ClosedForm.Functions[0].Name == "writes" {
			cross = append(cross, plotter.XY{X: float64(i), Y: a.ClosedForm.Functions[0].DowntimePerYear / 60})
		}
		names = append(names, s.Scenario)
	}
	width := vg.Points(min(120, 500/float64(len(names)+1)))
	var below *plotter.BarChart
	for k, vals := range stacks {
		if k == len(shown) && slices.Max(vals) == 0 {
			break
		}
		bars, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return p
		}
		bars.Color = palette[k%len(palette)]
		bars.LineStyle.Width = 0
		if below != nil {
			bars.StackOn(below)
		}
		below = bars
		p.Add(bars)
		label := "other classes"
		if k < len(shown) {
			label = shown[k]
		}
		p.Legend.Add(label, bars)
	}
	type xyErr struct {
		plotter.XYs
		plotter.YErrors
	}
	if eb, err := plotter.NewYErrorBars(xyErr{pts, errs}); err == nil {
		eb.Width = vg.Points(16)
		eb.LineStyle.Width = vg.Points(1.2)
		p.Add(eb)
	}
	if len(cross) > 0 {
		if sc, err := plotter.NewScatter(cross); err == nil {
			sc.GlyphStyle.Shape = draw.CrossGlyph{}
			sc.GlyphStyle.Radius = vg.Points(6)
			sc.GlyphStyle.Color = color.Black
			p.Add(sc)
		}
	}
	// Room above the highest interval, total and cross, so that nothing
	// touches the frame.
	top := 0.0
	for i := range names {
		sum := 0.0
		for _, st := range stacks {
			sum += st[i]
		}
		top = max(top, sum, pts[i].Y+errs[i].High)
	}
	for _, c := range cross {
		top = max(top, c.Y)
	}
	p.Legend.Top = true
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(names))-0.4
	p.X.Tick.Label.Rotation = 0.35
	p.X.Tick.Label.XAlign = draw.XRight
	p.Y.Min, p.Y.Max = 0, top*1.12
	if top == 0 {
		p.Y.Max = 1
	}
	return p
}

// Save writes a plot to path, as SVG or PNG by its extension.
func Save(p *plot.Plot, path string, lanes int) error {
	if _, err := Format(path); err != nil {
		return err
	}
	h := vg.Points(float64(60 + 22*lanes))
	return p.Save(vg.Points(900), h, path)
}

// Format is the picture format a path's extension asks for: "svg" or
// "png".
func Format(path string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".svg", ".png":
		return ext[1:], nil
	}
	return "", fmt.Errorf("picture %s: want a .svg or .png file", path)
}

// Lanes is how many lanes a run's timeline picture has, counting the
// room for the faults' labels (for its height).
func Lanes(r model.Result) int {
	n := 2
	for _, ln := range r.Lanes {
		if slices.Contains(pictured, ln.Kind) {
			n++
		}
	}
	return n
}

// WriteTo renders to w in the given format ("svg" or "png").
func WriteTo(p *plot.Plot, w io.Writer, format string, lanes int) error {
	wt, err := p.WriterTo(vg.Points(900), vg.Points(float64(60+22*lanes)), format)
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}
