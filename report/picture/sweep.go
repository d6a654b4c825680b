package picture

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"hasim/report"
)

// SweepLanes is the height, in timeline lanes, that sweep pictures are
// drawn at (see WriteTo).
const SweepLanes = 18

// axisValue reads an axis value as a number: a duration in seconds, or a
// plain number; ok is false for anything else.
func axisValue(s string) (float64, bool) {
	if d, err := time.ParseDuration(s); err == nil {
		return d.Seconds(), true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// metricOf returns point p's estimate of metric (its mean), if the point
// has it.
func metricOf(p report.SweepPoint, metric string) (report.SweepMetric, bool) {
	for _, m := range p.Metrics {
		if m.Metric == metric {
			return m, true
		}
	}
	return report.SweepMetric{}, false
}

// checkAxes finds the named axes in the aggregate.
func checkAxes(s report.SweepAggregate, names ...string) ([]int, error) {
	var out []int
	for _, n := range names {
		i := slices.Index(s.Axes, n)
		if i < 0 {
			return nil, fmt.Errorf("no axis %q (axes: %s)", n, strings.Join(s.Axes, ", "))
		}
		out = append(out, i)
	}
	return out, nil
}

// SweepCurves draws metric's mean against axis x, a line per setting of
// the other axes, each with its 95% interval as a band. Values of x that
// are not numbers are spread evenly, in the sweep's order.
func SweepCurves(s report.SweepAggregate, metric, x string) (*plot.Plot, error) {
	idx, err := checkAxes(s, x)
	if err != nil {
		return nil, err
	}
	xi := idx[0]
	numeric := true
	var xs []string // x's values in first-seen order
	for _, p := range s.Points {
		v := p.Values[x]
		if !slices.Contains(xs, v) {
			xs = append(xs, v)
		}
		if _, ok := axisValue(v); !ok {
			numeric = false
		}
	}
	pos := func(v string) float64 {
		if numeric {
			f, _ := axisValue(v)
			return f
		}
		return float64(slices.Index(xs, v))
	}
	type pt struct{ x, y, lo, hi float64 }
	var keys []string
	lines := map[string][]pt{}
	found := false
	for _, p := range s.Points {
		m, ok := metricOf(p, metric)
		if !ok {
			continue
		}
		found = true
		var rest []string
		for i, a := range s.Axes {
			if i != xi {
				rest = append(rest, a+"="+p.Values[a])
			}
		}
		key := strings.Join(rest, " ")
		if _, ok := lines[key]; !ok {
			keys = append(keys, key)
		}
		if m.N == 0 {
			continue
		}
		e := m.Mean
		lo, hi := e.Lo, e.Hi
		if e.N < 2 || e.Short() {
			lo, hi = e.Value, e.Value
		}
		lines[key] = append(lines[key], pt{pos(p.Values[x]), e.Value, lo, hi})
	}
	if !found {
		return nil, fmt.Errorf("the sweep's figures have no metric %q", metric)
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: mean %s by %s, with %g%% confidence bands (%d seeds per point)", s.Sweep, metric, x, report.Level*100, s.Seeds)
	p.X.Label.Text = x
	if numeric && durationAxis(xs) {
		p.X.Label.Text += " (seconds)"
	}
	p.Y.Label.Text = metric + unitOf(metric)
	p.Legend.Top = true
	for i, key := range keys {
		pts := lines[key]
		slices.SortStableFunc(pts, func(a, b pt) int { return cmp.Compare(a.x, b.x) })
		col := palette[i%len(palette)]
		if len(pts) == 0 {
			continue
		}
		band := make(plotter.XYs, 0, 2*len(pts))
		for _, q := range pts {
			band = append(band, plotter.XY{X: q.x, Y: q.lo})
		}
		for j := len(pts) - 1; j >= 0; j-- {
			band = append(band, plotter.XY{X: pts[j].x, Y: pts[j].hi})
		}
		if poly, err := plotter.NewPolygon(band); err == nil {
			r, g, b, _ := col.RGBA()
			poly.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x40}
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
		mean := make(plotter.XYs, len(pts))
		for j, q := range pts {
			mean[j] = plotter.XY{X: q.x, Y: q.y}
		}
		line, points, err := plotter.NewLinePoints(mean)
		if err != nil {
			continue
		}
		line.Color, points.Color = col, col
		line.Width = vg.Points(1.5)
		p.Add(line, points)
		if key == "" {
			key = metric
		}
		p.Legend.Add(key, line)
	}
	if !numeric {
		p.NominalX(xs...)
	}
	p.Add(plotter.NewGrid())
	return p, nil
}

// SweepHeatMap draws metric's mean over two axes, x across and y up, each
// cell labelled with its value; cells without runs where it is defined
// are grey. A sweep with more axes than these two has a cell per setting
// of them only if the others take one value.
func SweepHeatMap(s report.SweepAggregate, metric, x, y string) (*plot.Plot, error) {
	if _, err := checkAxes(s, x, y); err != nil {
		return nil, err
	}
	if x == y {
		return nil, fmt.Errorf("a heat map needs two different axes")
	}
	var xs, ys []string
	for _, p := range s.Points {
		for _, a := range s.Axes {
			if a != x && a != y && p.Values[a] != s.Points[0].Values[a] {
				return nil, fmt.Errorf("axis %s takes several values: a heat map shows two axes, so draw curves or sweep %s and %s alone", a, x, y)
			}
		}
		if !slices.Contains(xs, p.Values[x]) {
			xs = append(xs, p.Values[x])
		}
		if !slices.Contains(ys, p.Values[y]) {
			ys = append(ys, p.Values[y])
		}
	}
	sortValues(xs)
	sortValues(ys)
	g := &grid{z: make([]float64, len(xs)*len(ys)), cols: len(xs), rows: len(ys)}
	for i := range g.z {
		g.z[i] = math.NaN()
	}
	found := false
	var labels plotter.XYLabels
	for _, p := range s.Points {
		m, ok := metricOf(p, metric)
		if !ok {
			continue
		}
		found = true
		c, r := slices.Index(xs, p.Values[x]), slices.Index(ys, p.Values[y])
		text := "-"
		if m.N > 0 {
			g.z[r*g.cols+c] = m.Mean.Value
			text = fmtValue(metric, m.Mean.Value)
		}
		labels.XYs = append(labels.XYs, plotter.XY{X: float64(c), Y: float64(r)})
		labels.Labels = append(labels.Labels, text)
	}
	if !found {
		return nil, fmt.Errorf("the sweep's figures have no metric %q", metric)
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: mean %s%s (%d seeds per point; grey: no such point, or never defined)", s.Sweep, metric, unitOf(metric), s.Seeds)
	p.X.Label.Text, p.Y.Label.Text = x, y
	hm := plotter.NewHeatMap(g, moreland.SmoothBlueRed().Palette(64))
	hm.NaN = colAbsent
	if hm.Min == hm.Max { // one value everywhere: any colour will do
		hm.Max = hm.Min + 1
	}
	p.Add(hm)
	if l, err := plotter.NewLabels(labels); err == nil {
		for i := range l.TextStyle {
			l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
		}
		p.Add(l)
	}
	p.NominalX(xs...)
	p.NominalY(ys...)
	p.X.Min, p.X.Max = -0.5, float64(len(xs))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(ys))-0.5
	return p, nil
}

// grid is a heat map's cells.
type grid struct {
	z          []float64
	cols, rows int
}

func (g *grid) Dims() (int, int)    { return g.cols, g.rows }
func (g *grid) Z(c, r int) float64  { return g.z[r*g.cols+c] }
func (g *grid) X(c int) float64     { return float64(c) }
func (g *grid) Y(r int) float64     { return float64(r) }
func (g *grid) Min() float64        { return minMax(g.z, math.Min, math.Inf(1)) }
func (g *grid) Max() float64        { return minMax(g.z, math.Max, math.Inf(-1)) }
func durationAxis(xs []string) bool { return slices.ContainsFunc(xs, isDuration) }
func isDuration(s string) bool      { _, err := time.ParseDuration(s); return err == nil && s != "0" }
func fmtValue(m string, v float64) string {
	if strings.HasPrefix(m, "availability.") {
		return strconv.FormatFloat(v*100, 'f', 2, 64) + "%"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func minMax(z []float64, f func(a, b float64) float64, start float64) float64 {
	v := start
	for _, x := range z {
		if !math.IsNaN(x) {
			v = f(v, x)
		}
	}
	if math.IsInf(v, 0) {
		return 0
	}
	return v
}

// unitOf is the unit of a metric, for an axis label.
func unitOf(metric string) string {
	switch {
	case strings.HasPrefix(metric, "availability."):
		return " (fraction)"
	case strings.HasSuffix(metric, ".count") || metric == "incidents":
		return ""
	}
	return " (seconds)"
}

// sortValues sorts axis values by their number where they all are
// numbers, else leaves them in their order.
func sortValues(vs []string) {
	for _, v := range vs {
		if _, ok := axisValue(v); !ok {
			return
		}
	}
	slices.SortStableFunc(vs, func(a, b string) int {
		x, _ := axisValue(a)
		y, _ := axisValue(b)
		return cmp.Compare(x, y)
	})
}
