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
	colSplit    = color.NRGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xb0}
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

// segment is a coloured stretch of a lane, optionally labelled.
type segment struct {
	from, to float64
	col      color.Color
	label    string
}

// lane is one row of the picture.
type lane struct {
	name string
	segs []segment
}

// span is a fault or an operation drawn across the lanes.
type span struct {
	from, to float64
	col      color.Color
}

// lanes is the plotter drawing every lane, and the faults across them.
type lanes struct {
	rows   []lane
	faults []span
	names  []string
}

// Plot implements plot.Plotter.
func (l *lanes) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, f := range l.faults {
		x0, x1 := trX(f.from), trX(max(f.to, f.from+0.001))
		y0, y1 := trY(-0.5), trY(float64(len(l.rows))-0.5)
		c.FillPolygon(f.col, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
		c.StrokeLine2(draw.LineStyle{Color: colFaultEdg, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}, x0, y0, x0, y1)
	}
	sty := draw.TextStyle{Color: color.White, Font: font.From(plot.DefaultFont, vg.Points(7)), XAlign: draw.XLeft, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler}
	for i, row := range l.rows {
		y := float64(i)
		for _, s := range row.segs {
			x0, x1 := trX(s.from), trX(s.to)
			h := 0.34
			if s.col == colSplit || s.col == colActing {
				h = 0.46
			}
			y0, y1 := trY(y-h), trY(y+h)
			c.FillPolygon(s.col, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
			if s.label != "" && x1-x0 > sty.Width(s.label)+vg.Points(4) {
				c.FillText(sty, vg.Point{X: x0 + vg.Points(2), Y: trY(y)}, s.label)
			}
		}
	}
}

// DataRange implements plot.DataRanger.
func (l *lanes) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmax = 1
	for _, r := range l.rows {
		for _, s := range r.segs {
			xmax = max(xmax, s.to)
		}
	}
	return 0, xmax, -0.5, float64(len(l.rows)) - 0.5
}

func sec(t sim.Time) float64 { return t.Seconds() }

// Timeline draws a run: a lane per host (up, down, a paused process), a
// lane per leader group (who leads, split brain in red), a lane per probe
// (available or not), and the faults as shaded spans.
func Timeline(scenario string, r model.Result) *plot.Plot {
	end := sec(r.End)
	// The model's lanes come probes first, then groups, then hosts.
	var rows []lane
	for _, ln := range r.Lanes {
		rows = append(rows, drawLane(r, ln))
	}
	slices.Reverse(rows) // hosts at the top, probes at the bottom

	l := &lanes{rows: rows}
	for _, f := range r.Faults {
		to, col := end, color.Color(colFault)
		switch {
		case f.Healed:
			to = sec(f.HealedAt)
		case f.Operation:
			col = colOp
			if f.DoneAt > 0 {
				to = sec(f.DoneAt)
			}
		}
		if f.Skipped == "" {
			l.faults = append(l.faults, span{from: sec(f.At), to: to, col: col})
		}
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s (seed %d)\ngreen: up or available; red: down or failing; orange: paused; leaders by colour; red band: split brain (dark: both acting); grey: a fault%s", scenario, r.Seed, opLegend(r))
	p.Title.TextStyle.Font.Size = vg.Points(9)
	p.X.Label.Text = "simulated time (s)"
	p.X.Min, p.X.Max = 0, end
	p.Add(l)
	var names []string
	for _, row := range rows {
		names = append(names, row.name)
	}
	p.NominalY(names...)
	p.Y.Tick.Label.Font.Size = vg.Points(8)
	return p
}

// swatch is a legend entry: a filled square.
type swatch struct{ c color.Color }

// Thumbnail implements plot.Thumbnailer.
func (s swatch) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	c.FillPolygon(s.c, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
}

// opLegend explains operations in the title, if the run has any.
func opLegend(r model.Result) string {
	if !slices.ContainsFunc(r.Faults, func(f model.FaultResult) bool { return f.Operation }) {
		return ""
	}
	return "; blue: an operation (kubeadm join, member remove); light grey: a host not yet joined"
}

// stateColours are the colours of host and probe states.
var stateColours = map[string]color.Color{
	model.StateUp: colUp, model.StateOK: colUp, model.StateDown: colDown, model.StateFailing: colDown,
	model.StatePaused: colPaused, model.StateAbsent: colAbsent,
}

// drawLane turns a lane of the result into a row of the picture: states in
// their colours; a group's leaders each in a colour of the palette, in the
// order of the lane's Leaders, labelled, with the group's split brain over
// them in red.
func drawLane(r model.Result, ln model.Lane) lane {
	row := lane{name: string(ln.Kind) + " " + ln.Name}
	if ln.Kind == model.LaneGroup {
		row.name = ln.Name + " leader"
	}
	for _, sp := range ln.Spans {
		seg := segment{from: sec(sp.From), to: sec(sp.To), col: stateColours[sp.State]}
		if sp.State == model.StateLeading {
			seg.col = palette[slices.Index(ln.Leaders, sp.Who)%len(palette)]
			seg.label = short(sp.Who)
		}
		row.segs = append(row.segs, seg)
	}
	if ln.Kind == model.LaneGroup {
		for _, g := range r.Groups {
			if g.Name != ln.Name {
				continue
			}
			for _, iv := range g.SplitBrain {
				row.segs = append(row.segs, segment{from: sec(iv.From), to: sec(iv.To), col: colSplit, label: "split brain"})
			}
			for _, iv := range g.ActingSplitBrain {
				row.segs = append(row.segs, segment{from: sec(iv.From), to: sec(iv.To), col: colActing, label: "both acting"})
			}
		}
	}
	return row
}

// short drops the component prefix of a leader-elected process's name
// (model.HostProcessName), leaving its host.
func short(name string) string {
	for _, role := range model.LeaderElectedRoles() {
		name = strings.TrimPrefix(name, role+"-")
	}
	return name
}

// Comparison draws, per scenario, what its runs measure, with its
// confidence interval: write downtime per year when every scenario's
// failures arrive at rates, else write downtime per incident (scripted
// faults define no rate).
func Comparison(c report.Comparison) *plot.Plot {
	annual := !slices.ContainsFunc(c.Scenarios, func(s report.ScenarioComparison) bool { return !s.RatesDefined })
	if annual && !slices.ContainsFunc(c.Scenarios, func(s report.ScenarioComparison) bool { return s.Annual == nil || len(s.Annual.Functions) == 0 }) {
		return annualComparison(c)
	}
	p := plot.New()
	what, unit, scale := "write downtime per incident", "seconds", 1.0
	if annual {
		what, unit, scale = "write downtime per year", "hours", 3600
	}
	p.Title.Text = fmt.Sprintf("%s, with %g%% confidence intervals (%d runs per scenario)", what, report.Level*100, c.Runs)
	p.Y.Label.Text = fmt.Sprintf("%s (%s)", what, unit)
	var vals plotter.Values
	var errs plotter.YErrors
	var names []string
	for _, s := range c.Scenarios {
		e := s.WriteDowntimePerIncident
		if annual {
			e = *s.DowntimePerYear
		}
		v, lo, hi := e.Value/scale, e.Lo/scale, e.Hi/scale
		if math.IsNaN(v) {
			v, lo, hi = 0, 0, 0
		}
		if e.Short() { // no interval to draw
			lo, hi = v, v
		}
		vals = append(vals, v)
		errs = append(errs, struct{ Low, High float64 }{v - lo, hi - v})
		names = append(names, s.Scenario)
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(min(120, 500/float64(len(vals)+1))))
	if err != nil {
		return p
	}
	bars.Color = palette[0]
	bars.LineStyle.Width = 0
	p.Add(bars)
	type xyErr struct {
		plotter.XYs
		plotter.YErrors
	}
	pts := make(plotter.XYs, len(vals))
	for i, v := range vals {
		pts[i].X, pts[i].Y = float64(i), v
	}
	if eb, err := plotter.NewYErrorBars(xyErr{pts, errs}); err == nil {
		eb.Width = vg.Points(16)
		eb.LineStyle.Width = vg.Points(1.2)
		p.Add(eb)
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(vals))-0.4
	p.X.Tick.Label.Rotation = 0.35
	p.X.Tick.Label.XAlign = draw.XRight
	p.Y.Min = 0
	return p
}

// causeColours is how many failure classes the yearly comparison draws
// apart; the rest stack as "other classes".
const causeColours = 6

// annualComparison draws, per scenario, the write downtime per year
// stacked by failure class (the costliest classes over all scenarios in
// colour, the rest together), the 95% interval of the total, and the
// closed form's downtime (instant failover) as a cross.
func annualComparison(c report.Comparison) *plot.Plot {
	p := plot.New()
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
	p.Legend.Top = true
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(names))-0.4
	p.X.Tick.Label.Rotation = 0.35
	p.X.Tick.Label.XAlign = draw.XRight
	p.Y.Min = 0
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

// Lanes is how many lanes a run's timeline picture has (for its height).
func Lanes(r model.Result) int { return len(r.Lanes) }

// WriteTo renders to w in the given format ("svg" or "png").
func WriteTo(p *plot.Plot, w io.Writer, format string, lanes int) error {
	wt, err := p.WriterTo(vg.Points(900), vg.Points(float64(60+22*lanes)), format)
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}
