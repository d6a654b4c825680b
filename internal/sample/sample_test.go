package sample

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// values draws n lognormal values (median 10, as incident durations in
// seconds), a few of them zero and negative.
func values(seed uint64, n int) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]float64, n)
	for i := range out {
		switch i % 97 {
		case 0:
			out[i] = 0
		case 1:
			out[i] = -math.Exp(r.NormFloat64())
		default:
			out[i] = 10 * math.Exp(2*r.NormFloat64())
		}
	}
	return out
}

// TestExactWhileSmall: up to Exact values, every figure is the exact one.
func TestExactWhileSmall(t *testing.T) {
	xs := values(1, Exact)
	var s Sample
	for _, x := range xs {
		s.Add(x)
	}
	if !s.Exact() || !slices.Equal(s.Values(), xs) {
		t.Fatal("the sample does not keep its values while small")
	}
	sorted := slices.Clone(xs)
	slices.Sort(sorted)
	for _, r := range []int{1, 2, 100, Exact / 2, Exact - 1, Exact} {
		if got := s.Rank(r); got != sorted[r-1] {
			t.Errorf("rank %d: %v, want %v", r, got, sorted[r-1])
		}
	}
	var sum float64
	for _, x := range xs {
		sum += x
	}
	if s.Sum() != sum || s.Min() != sorted[0] || s.Max() != sorted[len(sorted)-1] || s.Len() != len(xs) {
		t.Errorf("sum %v min %v max %v n %d; want %v %v %v %d", s.Sum(), s.Min(), s.Max(), s.Len(), sum, sorted[0], sorted[len(sorted)-1], len(xs))
	}
}

// TestFoldedRanks: past Exact values, ranks are within the buckets'
// relative width of the exact order statistics, the moments stay exact
// up to rounding, and the memory is the histogram's, whatever the count.
func TestFoldedRanks(t *testing.T) {
	xs := values(2, 200_000)
	var s Sample
	for _, x := range xs {
		s.Add(x)
	}
	if s.Exact() || s.Values() != nil {
		t.Fatal("200,000 values kept one by one")
	}
	sorted := slices.Clone(xs)
	slices.Sort(sorted)
	for _, r := range []int{1, 50, 2000, 2062, 2063, 100_000, 180_000, 198_000, 199_999, 200_000} {
		got, want := s.Rank(r), sorted[r-1]
		if math.Abs(got-want) > 0.0051*math.Abs(want) {
			t.Errorf("rank %d: %v, want %v within 0.5%%", r, got, want)
		}
	}
	mean, sd := 0.0, 0.0
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	sd = math.Sqrt(sd / float64(len(xs)-1))
	if math.Abs(s.Mean()-mean) > 1e-9*math.Abs(mean) || math.Abs(s.StdDev()-sd) > 1e-9*sd {
		t.Errorf("mean %v sd %v, want %v %v", s.Mean(), s.StdDev(), mean, sd)
	}
	if b := len(s.pos) + len(s.neg); b > 5000 {
		t.Errorf("%d buckets for values spanning %v to %v", b, sorted[0], sorted[len(sorted)-1])
	}
}

// TestMergeIsAddingInOrder: merging samples gives the figures of one
// sample that saw the values in the same order, folded or not.
func TestMergeIsAddingInOrder(t *testing.T) {
	for _, sizes := range [][]int{{10, 20}, {3000, 3000}, {10, 9000}, {9000, 10}, {9000, 9000}} {
		var all, merged Sample
		for i, n := range sizes {
			var part Sample
			for _, x := range values(uint64(10+i), n) {
				part.Add(x)
				all.Add(x)
			}
			merged.Merge(&part)
		}
		if merged.Len() != all.Len() || merged.Exact() != all.Exact() {
			t.Fatalf("%v: merged %d values (exact %v), want %d (exact %v)", sizes, merged.Len(), merged.Exact(), all.Len(), all.Exact())
		}
		for _, r := range []int{1, all.Len() / 3, all.Len() / 2, all.Len()} {
			if a, m := all.Rank(r), merged.Rank(r); a != m {
				t.Errorf("%v: rank %d merged %v, want %v", sizes, r, m, a)
			}
		}
		if math.Abs(merged.Mean()-all.Mean()) > 1e-9*math.Abs(all.Mean()) || math.Abs(merged.StdDev()-all.StdDev()) > 1e-9*all.StdDev() {
			t.Errorf("%v: merged mean %v sd %v, want %v %v", sizes, merged.Mean(), merged.StdDev(), all.Mean(), all.StdDev())
		}
	}
}

// TestEmpty: an empty sample answers NaN, not zero.
func TestEmpty(t *testing.T) {
	var s Sample
	s.Add(math.NaN())
	if s.Len() != 0 || !math.IsNaN(s.Mean()) || !math.IsNaN(s.Rank(1)) || !math.IsNaN(s.Max()) || !math.IsNaN(s.StdDev()) {
		t.Errorf("empty sample: n %d mean %v rank %v max %v sd %v", s.Len(), s.Mean(), s.Rank(1), s.Max(), s.StdDev())
	}
}
