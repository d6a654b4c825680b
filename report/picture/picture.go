// Package picture draws a run's timeline and a comparison as SVG or PNG
// with gonum/plot. It reads results only. It lives apart from package
// report so that the plotting library stays out of code that does not
// draw.
package picture

import (
	"fmt"
	"image/color"
	"io"
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
	var rows []lane

	// Probes, at the top of the picture (the last rows).
	for _, p := range r.Probes {
		rows = append(rows, probeLane(r, p.Name, end))
	}
	// Leader groups.
	for gi, g := range r.Groups {
		rows = append(rows, groupLane(r, g, gi, end))
	}
	// Hosts.
	for _, h := range hostNames(r) {
		rows = append(rows, hostLane(r, h, end))
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

// hostNames are the hosts in order of first appearance: hosts named in
// the topology's records, then every member host.
func hostNames(r model.Result) []string {
	var names []string
	seen := map[string]bool{}
	addName := func(h string) {
		if h != "" && !seen[h] {
			seen[h] = true
			names = append(names, h)
		}
	}
	for _, m := range r.Members {
		addName(m.Host)
	}
	for _, a := range r.APIServers {
		addName(a.Host)
	}
	for _, rec := range r.Timeline {
		if rec.Event == model.EvHostDown || rec.Event == model.EvProcPaused || rec.Event == model.EvLBBackendDown {
			addName(rec.Host)
		}
	}
	return names
}

// stateLane is a lane whose colour changes at records: next gives the
// colour after a record and whether the record changes it. The lane
// starts at from, in colour initial.
func stateLane(name string, r model.Result, from, end float64, initial color.Color, next func(model.Record) (color.Color, bool)) lane {
	ln := lane{name: name}
	state := initial
	since := from
	for _, rec := range r.Timeline {
		c, ok := next(rec)
		if !ok {
			continue
		}
		if t := sec(rec.T); t > since {
			ln.segs = append(ln.segs, segment{from: since, to: t, col: state})
			since = t
		}
		state = c
	}
	if end > since {
		ln.segs = append(ln.segs, segment{from: since, to: end, col: state})
	}
	return ln
}

// opLegend explains operations in the title, if the run has any.
func opLegend(r model.Result) string {
	if !slices.ContainsFunc(r.Faults, func(f model.FaultResult) bool { return f.Operation }) {
		return ""
	}
	return "; blue: an operation (kubeadm join, member remove); light grey: a host not yet joined"
}

// hostLane: up, down, or running a paused process; light grey before a
// joining host's join.
func hostLane(r model.Result, host string, end float64) lane {
	paused := 0
	joins := slices.ContainsFunc(r.Faults, func(f model.FaultResult) bool {
		return f.Kind == model.FaultJoinControlPlane && strings.TrimPrefix(f.Target, "host:") == host
	})
	initial := color.Color(colUp)
	if joins {
		initial = colAbsent
	}
	return stateLane("host "+host, r, 0, end, initial, func(rec model.Record) (color.Color, bool) {
		if joins {
			// Nothing runs on the host before its join.
			if rec.Event == model.EvFaultInjected && rec.Kind == string(model.FaultJoinControlPlane) && rec.Target == host &&
				!strings.HasPrefix(rec.Reason, "skipped") {
				joins = false
				return colUp, true
			}
			return nil, false
		}
		if rec.Host != host {
			return nil, false
		}
		switch rec.Event {
		case model.EvHostDown:
			return colDown, true
		case model.EvHostUp:
			return colUp, true
		case model.EvProcPaused:
			paused++
			return colPaused, true
		case model.EvProcResumed:
			paused--
			return colUp, paused == 0
		}
		return nil, false
	})
}

// probeLane: available or failing, from the first commit.
func probeLane(r model.Result, probe string, end float64) lane {
	return stateLane("probe "+probe, r, sec(r.MeasuredFrom), end, colUp, func(rec model.Record) (color.Color, bool) {
		if rec.Probe != probe {
			return nil, false
		}
		switch rec.Event {
		case model.EvProbeDown:
			return colDown, true
		case model.EvProbeUp:
			return colUp, true
		}
		return nil, false
	})
}

// groupLane shows who leads a group over time, each leader in its own
// colour and labelled, and the group's split brain over it in red.
func groupLane(r model.Result, g model.GroupResult, gi int, end float64) lane {
	ln := lane{name: g.Name + " leader"}
	leaders := map[string]float64{} // leading since
	var order []string
	colors := map[string]color.Color{}
	colorOf := func(who string) color.Color {
		if c, ok := colors[who]; ok {
			return c
		}
		c := palette[len(colors)%len(palette)]
		colors[who] = c
		return c
	}
	start := func(who string, t float64) {
		if _, ok := leaders[who]; !ok {
			leaders[who] = t
			order = append(order, who)
		}
	}
	stop := func(who string, t float64) {
		if from, ok := leaders[who]; ok {
			ln.segs = append(ln.segs, segment{from: from, to: t, col: colorOf(who), label: short(who)})
			delete(leaders, who)
			order = slices.DeleteFunc(order, func(s string) bool { return s == who })
		}
	}
	hostOf := map[string]string{}
	for _, rec := range r.Timeline {
		t := sec(rec.T)
		if g.Name == model.GroupEtcd {
			switch rec.Event {
			case model.EvLeader:
				start(rec.Member, t) // a stale leader's lane ends at its own stepdown
			case model.EvFollower, model.EvStepDown:
				stop(rec.Member, t)
			case model.EvProcStopped, model.EvProcPaused:
				stop(rec.Proc, t)
			case model.EvHostDown:
				for _, m := range r.Members {
					if m.Host == rec.Host {
						stop(m.Name, t)
					}
				}
			}
			continue
		}
		switch {
		case rec.Group == g.Name && rec.Event == model.EvLeaseAcquired:
			start(rec.Proc, t)
			hostOf[rec.Proc] = rec.Host
		case rec.Group == g.Name && (rec.Event == model.EvLeaseLost || rec.Event == model.EvLeaseReleased):
			stop(rec.Proc, t)
		case rec.Event == model.EvProcExited || rec.Event == model.EvProcStopped:
			stop(rec.Proc, t)
		case rec.Event == model.EvHostDown:
			for who, h := range hostOf {
				if h == rec.Host {
					stop(who, t)
				}
			}
		}
	}
	for _, who := range slices.Clone(order) {
		stop(who, end)
	}
	slices.SortStableFunc(ln.segs, func(a, b segment) int {
		switch {
		case a.from < b.from:
			return -1
		case a.from > b.from:
			return 1
		}
		return 0
	})
	for _, iv := range g.SplitBrain {
		ln.segs = append(ln.segs, segment{from: sec(iv.From), to: sec(iv.To), col: colSplit, label: "split brain"})
	}
	for _, iv := range g.ActingSplitBrain {
		ln.segs = append(ln.segs, segment{from: sec(iv.From), to: sec(iv.To), col: colActing, label: "both acting"})
	}
	return ln
}

// short drops the component prefix of a leader-elected process's name
// (model.HostProcessName), leaving its host.
func short(name string) string {
	for _, role := range model.LeaderElectedRoles() {
		name = strings.TrimPrefix(name, role+"-")
	}
	return name
}

// Comparison draws write availability (as nines) and write recovery p50
// per scenario, with their confidence intervals.
func Comparison(c report.Comparison) *plot.Plot {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("write downtime per year, with 95%% confidence intervals (%d runs per scenario)", c.Runs)
	p.Y.Label.Text = "write downtime per year (hours)"
	var vals plotter.Values
	var errs plotter.YErrors
	var names []string
	for _, s := range c.Scenarios {
		v := s.DowntimePerYear.Value / 3600
		vals = append(vals, v)
		errs = append(errs, struct{ Low, High float64 }{v - s.DowntimePerYear.Lo/3600, s.DowntimePerYear.Hi/3600 - v})
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
func Lanes(r model.Result) int { return len(r.Probes) + len(r.Groups) + len(hostNames(r)) }

// WriteTo renders to w in the given format ("svg" or "png").
func WriteTo(p *plot.Plot, w io.Writer, format string, lanes int) error {
	wt, err := p.WriterTo(vg.Points(900), vg.Points(float64(60+22*lanes)), format)
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}
