package sim_test

import (
	"math"
	"testing"

	"hasim/sim"
)

// chiSquareUniform returns the chi-square statistic of draws bucketed into
// k equal cells.
func chiSquareUniform(draws []float64, k int) float64 {
	counts := make([]float64, k)
	for _, x := range draws {
		counts[int(x*float64(k))]++
	}
	exp := float64(len(draws)) / float64(k)
	var chi float64
	for _, c := range counts {
		chi += (c - exp) * (c - exp) / exp
	}
	return chi
}

// TestStreamsIndependent checks what the engine promises of streams:
//   - a stream's draws are uniform (chi-square, 100 cells);
//   - streams with different names, and sibling sub-streams, are
//     uncorrelated, and the joint distribution of paired draws is uniform
//     on the unit square (chi-square, 10×10 cells);
//   - draws are pure functions of (seed, name, n): the same call gives the
//     same value, and creating other streams in between changes nothing;
//   - different seeds give different streams.
//
// Thresholds are far in the tails (p < 1e-6 under the null), so a failure
// means a real defect, not bad luck.
func TestStreamsIndependent(t *testing.T) {
	s := sim.New(42)
	const n = 200_000
	pairs := [][2]sim.Stream{
		{s.Stream("etcd-1/election"), s.Stream("etcd-2/election")},
		{s.Stream("net/zone-a/zone-b"), s.Stream("net/zone-b/zone-a")},
		{s.Stream("x").Sub("a"), s.Stream("x").Sub("b")},
		{s.Stream("x").SubN(1), s.Stream("x").SubN(2)},
		{sim.New(1).Stream("x"), sim.New(2).Stream("x")},
	}
	for pi, p := range pairs {
		a := make([]float64, n)
		b := make([]float64, n)
		for i := range n {
			a[i] = p[0].Float64(uint64(i))
			b[i] = p[1].Float64(uint64(i))
		}
		// 99 degrees of freedom: p < 1e-6 beyond about 180.
		if chi := chiSquareUniform(a, 100); chi > 180 {
			t.Errorf("pair %d: stream A not uniform, chi2 = %.1f", pi, chi)
		}
		if chi := chiSquareUniform(b, 100); chi > 180 {
			t.Errorf("pair %d: stream B not uniform, chi2 = %.1f", pi, chi)
		}
		var sa, sb, sab, saa, sbb float64
		joint := make([]float64, 100)
		for i := range n {
			sa += a[i]
			sb += b[i]
			sab += a[i] * b[i]
			saa += a[i] * a[i]
			sbb += b[i] * b[i]
			joint[int(a[i]*10)*10+int(b[i]*10)]++
		}
		cov := sab/n - (sa/n)*(sb/n)
		corr := cov / math.Sqrt((saa/n-(sa/n)*(sa/n))*(sbb/n-(sb/n)*(sb/n)))
		// Standard error of a correlation is 1/sqrt(n) ≈ 0.0022.
		if math.Abs(corr) > 0.012 {
			t.Errorf("pair %d: correlation %.4f", pi, corr)
		}
		exp := float64(n) / 100
		var chi float64
		for _, c := range joint {
			chi += (c - exp) * (c - exp) / exp
		}
		if chi > 180 {
			t.Errorf("pair %d: joint distribution not uniform, chi2 = %.1f", pi, chi)
		}
	}

	// Serial correlation within a stream (lag 1).
	st := s.Stream("serial")
	var sxy, sx float64
	for i := range n {
		x, y := st.Float64(uint64(i)), st.Float64(uint64(i+1))
		sxy += x * y
		sx += x
	}
	if c := (sxy/n - (sx/n)*(sx/n)) * 12; math.Abs(c) > 0.012 {
		t.Errorf("lag-1 serial correlation %.4f", c)
	}

	// Purity: same inputs, same draw, whatever else was created.
	before := s.Stream("etcd-1/election").Uint64(17)
	for range 100 {
		_ = s.Stream("noise").Uint64(3)
	}
	if after := s.Stream("etcd-1/election").Uint64(17); after != before {
		t.Fatalf("draw changed after unrelated streams were used: %x vs %x", before, after)
	}
	if sim.New(1).Stream("a").Uint64(0) == sim.New(2).Stream("a").Uint64(0) {
		t.Fatal("different seeds gave the same draw")
	}
}

// TestIntNAndNormal: bounded ints cover their range evenly; normal draws
// have mean 0 and variance 1.
func TestIntNAndNormal(t *testing.T) {
	st := sim.New(3).Stream("ints")
	counts := make([]int, 10)
	for i := range uint64(100_000) {
		counts[st.IntN(i, 10)]++
	}
	for v, c := range counts {
		if c < 9_500 || c > 10_500 {
			t.Errorf("IntN value %d drawn %d times in 100000, want about 10000", v, c)
		}
	}
	var sum, sq float64
	const n = 100_000
	for i := range uint64(n) {
		x := st.Normal(i)
		sum += x
		sq += x * x
	}
	mean, variance := sum/n, sq/n-(sum/n)*(sum/n)
	if math.Abs(mean) > 0.02 || math.Abs(variance-1) > 0.03 {
		t.Errorf("normal draws: mean %.4f variance %.4f", mean, variance)
	}
}
