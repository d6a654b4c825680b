// Package sample holds a sample of measurements in bounded memory: every
// value while there are few, then a histogram with logarithmic buckets,
// so that a run over centuries (tens of thousands of incidents) keeps the
// same few kilobytes per figure as a run over ten years. Counts, sums,
// extremes and moments stay exact; ranks and quantiles are exact while
// the values are kept and within the buckets' relative width after.
//
// A Sample is built in a fixed order and merged in a fixed order (Merge),
// so that its figures do not depend on how the work was scheduled.
package sample

import (
	"math"
	"slices"
)

const (
	// Exact is how many values a Sample keeps before it folds them into
	// its histogram.
	Exact = 4096
	// gamma is the ratio of consecutive bucket bounds: a value reported
	// from the histogram is within half a percent of a value in its bucket.
	gamma = 1.01
)

// Sample is a sample of real values.
type Sample struct {
	n        int
	sum      float64
	mean, m2 float64 // Welford's running mean and sum of squared deviations
	min, max float64

	values []float64 // every value, while n <= Exact; nil once folded
	folded bool
	// The histogram, once folded: zero counts values equal to 0; pos and
	// neg count positive and negative values by bucket index k (value in
	// (gamma^(k-1), gamma^k]), offset by posLo and negLo.
	zero         int
	pos, neg     []int
	posLo, negLo int
}

// Add adds x to the sample. NaN is not a measurement and is ignored.
func (s *Sample) Add(x float64) {
	if math.IsNaN(x) {
		return
	}
	if s.n == 0 || x < s.min {
		s.min = x
	}
	if s.n == 0 || x > s.max {
		s.max = x
	}
	s.n++
	s.sum += x
	d := x - s.mean
	s.mean += d / float64(s.n)
	s.m2 += d * (x - s.mean)
	if !s.folded {
		s.values = append(s.values, x)
		if len(s.values) > Exact {
			s.fold()
		}
		return
	}
	s.count(x, 1)
}

// fold moves the kept values into the histogram.
func (s *Sample) fold() {
	s.folded = true
	for _, v := range s.values {
		s.count(v, 1)
	}
	s.values = nil
}

// bucket is the index of the bucket holding |x| > 0.
func bucket(x float64) int { return int(math.Ceil(math.Log(x) / math.Log(gamma))) }

// count adds c values x to the histogram.
func (s *Sample) count(x float64, c int) {
	switch {
	case x == 0:
		s.zero += c
	case x > 0:
		addAt(&s.pos, &s.posLo, bucket(x), c)
	default:
		addAt(&s.neg, &s.negLo, bucket(-x), c)
	}
}

// addAt adds c to bucket k of a histogram whose first index is *lo.
func addAt(h *[]int, lo *int, k, c int) {
	if len(*h) == 0 {
		*h, *lo = []int{0}, k
	}
	if k < *lo {
		grown := make([]int, len(*h)+*lo-k)
		copy(grown[*lo-k:], *h)
		*h, *lo = grown, k
	}
	if i := k - *lo; i >= len(*h) {
		*h = append(*h, make([]int, i-len(*h)+1)...)
	}
	(*h)[k-*lo] += c
}

// Merge adds o's values to s, as if added after s's own.
func (s *Sample) Merge(o *Sample) {
	if o.n == 0 {
		return
	}
	if !o.folded {
		for _, v := range o.values {
			s.Add(v)
		}
		return
	}
	if !s.folded {
		s.fold()
	}
	// Chan et al.'s pairwise update of the moments.
	n := float64(s.n + o.n)
	d := o.mean - s.mean
	s.m2 += o.m2 + d*d*float64(s.n)*float64(o.n)/n
	s.mean += d * float64(o.n) / n
	if s.n == 0 || o.min < s.min {
		s.min = o.min
	}
	if s.n == 0 || o.max > s.max {
		s.max = o.max
	}
	s.n += o.n
	s.sum += o.sum
	s.zero += o.zero
	for i, c := range o.pos {
		if c > 0 {
			addAt(&s.pos, &s.posLo, o.posLo+i, c)
		}
	}
	for i, c := range o.neg {
		if c > 0 {
			addAt(&s.neg, &s.negLo, o.negLo+i, c)
		}
	}
}

// Len is the number of values added.
func (s *Sample) Len() int { return s.n }

// Sum is the sum of the values.
func (s *Sample) Sum() float64 { return s.sum }

// Mean is the values' mean (NaN for none).
func (s *Sample) Mean() float64 {
	if s.n == 0 {
		return math.NaN()
	}
	return s.mean
}

// StdDev is the values' sample standard deviation (n-1 in the divisor;
// NaN for fewer than two).
func (s *Sample) StdDev() float64 {
	if s.n < 2 {
		return math.NaN()
	}
	return math.Sqrt(max(0, s.m2) / float64(s.n-1))
}

// Min and Max are the smallest and largest values (NaN for none).
func (s *Sample) Min() float64 {
	if s.n == 0 {
		return math.NaN()
	}
	return s.min
}

func (s *Sample) Max() float64 {
	if s.n == 0 {
		return math.NaN()
	}
	return s.max
}

// Exact reports whether the sample still holds every value, and Values
// returns them in the order added (nil once folded).
func (s *Sample) Exact() bool       { return !s.folded }
func (s *Sample) Values() []float64 { return s.values }

// Rank is the value of rank r (1 is the smallest of Len): exact while the
// values are kept, else the middle of its bucket, clamped to [Min, Max].
func (s *Sample) Rank(r int) float64 { return s.Ranks(r)[0] }

// Ranks returns the values of ranks rs (ascending), as Rank does, sorting
// the kept values once.
func (s *Sample) Ranks(rs ...int) []float64 {
	out := make([]float64, len(rs))
	if s.n == 0 {
		for i := range out {
			out[i] = math.NaN()
		}
		return out
	}
	for i := range rs {
		rs[i] = min(max(rs[i], 1), s.n)
	}
	if !s.folded {
		sorted := slices.Clone(s.values)
		slices.Sort(sorted)
		for i, r := range rs {
			out[i] = sorted[r-1]
		}
		return out
	}
	return s.ranks(rs)
}

// ranks walks the histogram from the most negative bucket up.
func (s *Sample) ranks(rs []int) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		seen := 0
		found := false
		for j := len(s.neg) - 1; j >= 0 && !found; j-- {
			if seen += s.neg[j]; seen >= r {
				out[i], found = -mid(s.negLo+j), true
			}
		}
		if !found {
			if seen += s.zero; seen >= r {
				out[i], found = 0, true
			}
		}
		for j := 0; j < len(s.pos) && !found; j++ {
			if seen += s.pos[j]; seen >= r {
				out[i], found = mid(s.posLo+j), true
			}
		}
		if !found {
			out[i] = s.max
		}
		out[i] = min(max(out[i], s.min), s.max)
	}
	return out
}

// mid is the geometric middle of bucket k: within half a bucket's ratio
// of every value in it.
func mid(k int) float64 { return math.Pow(gamma, float64(k)-0.5) }
