package closedform

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Under independence the closed form depends on the up and down times
// only through their means: each host and zone is an alternating renewal
// process. A simulation of stacked masters whose up times are Weibull
// (shape 2) and whose repairs are lognormal (σ = 1), one zone failing
// too, matches the exponential closed form for writes, within 4.5
// standard errors of its batch means.
func TestInsensitiveToDistributions(t *testing.T) {
	hostR := Rates{MTBF: hours(40), MTTR: hours(8)}
	zoneR := Rates{MTBF: hours(100), MTTR: hours(10)}
	topo := Topology{
		Zones: []Zone{{Name: "a", Rates: zoneR}, {Name: "b"}, {Name: "c"}},
		Hosts: stacked(3, abc, hostR),
	}
	res, err := Solve(topo)
	if err != nil {
		t.Fatal(err)
	}

	src := rand.NewPCG(11, 2026)
	weibull := func(mean float64) distuv.Weibull {
		const k = 2.0
		return distuv.Weibull{K: k, Lambda: mean / math.Gamma(1+1/k), Src: src}
	}
	lognormal := func(mean float64) distuv.LogNormal {
		const sigma = 1.0
		return distuv.LogNormal{Mu: math.Log(mean) - sigma*sigma/2, Sigma: sigma, Src: src}
	}
	// Components 0–2 are the masters, 3 is zone a (master-1's).
	up := []distuv.Weibull{weibull(40), weibull(40), weibull(40), weibull(100)}
	down := []distuv.LogNormal{lognormal(8), lognormal(8), lognormal(8), lognormal(10)}
	isUp := []bool{true, true, true, true}
	next := make([]float64, 4)
	for i := range next {
		next[i] = up[i].Rand()
	}
	writes := func() bool {
		m1 := isUp[0] && isUp[3]
		n := 0
		for _, u := range []bool{m1, isUp[1], isUp[2]} {
			if u {
				n++
			}
		}
		return m1 && n >= 2 // clients use master-1 directly
	}

	const batches, batch = 50, 40000.0 // hours
	var downFrac, outageRate []float64
	now, wasUp := 0.0, writes()
	for b := 0; b < batches; b++ {
		end := float64(b+1) * batch
		downTime, outages := 0.0, 0
		for {
			i := 0
			for j := range next {
				if next[j] < next[i] {
					i = j
				}
			}
			t := math.Min(next[i], end)
			if !wasUp {
				downTime += t - now
			}
			now = t
			if next[i] > end {
				break
			}
			isUp[i] = !isUp[i]
			if isUp[i] {
				next[i] = now + up[i].Rand()
			} else {
				next[i] = now + down[i].Rand()
			}
			u := writes()
			if wasUp && !u {
				outages++
			}
			wasUp = u
		}
		downFrac = append(downFrac, downTime/batch)
		outageRate = append(outageRate, float64(outages)/batch*Year.Hours())
	}
	for _, c := range []struct {
		what   string
		sample []float64
		want   float64
	}{
		{"writes unavailability", downFrac, res.Writes.Unavailability},
		{"writes outages per year", outageRate, res.Writes.OutagesPerYear},
	} {
		mean, sd := stat.MeanStdDev(c.sample, nil)
		se := sd / math.Sqrt(batches)
		if math.Abs(mean-c.want) > 4.5*se {
			t.Errorf("%s: simulated %g ± %g (one standard error), closed form %g", c.what, mean, se, c.want)
		}
		t.Logf("%s: simulated %.5g ± %.2g, closed form %.5g", c.what, mean, se, c.want)
	}
}
