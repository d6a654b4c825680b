package sim

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// Stream is a named source of random numbers within a run. Its draws are
// counter-based: Uint64(n) is a pure function of the run's root seed, the
// stream's name and n, so
//
//   - two streams with different names are independent, and creating,
//     using or dropping one never changes what another draws;
//   - a caller that numbers its draws by something meaningful (the election
//     attempt, the message sequence on a link) gets the same value for the
//     same attempt however many unrelated events ran before it. A later
//     fast-forward through steady state relies on this.
//
// Sub derives a child stream from a purpose ("election", "latency"), so one
// component can hold one Stream and key everything else by purpose and
// attempt. A Stream is a small value; copying it is cheap and safe.
//
// The generator is a keyed mixing function: three rounds of a 64-bit
// bijective finaliser, each keyed by half of the stream's 128-bit key. It is
// not cryptographic; it passes the uniformity and independence checks in
// this package's tests.
type Stream struct {
	k0, k1 uint64
}

// Stream returns the stream named name, e.g. "etcd-2/election" or
// "net/zone-a/zone-b".
func (s *Sim) Stream(name string) Stream {
	return RootStream(s.seed).Sub(name)
}

// RootStream is the stream every named stream of a run with this seed
// descends from.
func RootStream(seed uint64) Stream {
	return Stream{k0: mix64(seed ^ 0x6a09e667f3bcc908), k1: mix64(seed + 0xbb67ae8584caa73b)}
}

// Sub returns the child stream named name.
func (st Stream) Sub(name string) Stream {
	h := fnv64(name)
	return Stream{
		k0: mix64(st.k0 ^ mix64(h+0x3c6ef372fe94f82b)),
		k1: mix64(st.k1 + mix64(h^0xa54ff53a5f1d36f1)),
	}
}

// SubN returns the child stream numbered n, e.g. one per attempt.
func (st Stream) SubN(n uint64) Stream {
	return Stream{
		k0: mix64(st.k0 ^ mix64(n+0x510e527fade682d1)),
		k1: mix64(st.k1 + mix64(n^0x9b05688c2b3e6c1f)),
	}
}

// Uint64 is the stream's n-th 64-bit draw.
func (st Stream) Uint64(n uint64) uint64 {
	x := mix64(n ^ st.k0)
	x = mix64(x + st.k1)
	return mix64(x ^ st.k0 ^ 0x1f83d9abfb41bd6b)
}

// Float64 is the n-th draw as a float in [0, 1).
func (st Stream) Float64(n uint64) float64 {
	return float64(st.Uint64(n)>>11) * (1.0 / (1 << 53))
}

// IntN is the n-th draw as an int in [0, bound). bound must be positive.
// It uses the high half of a 64×64-bit product, whose bias is below
// bound/2^64 and so beyond any simulation's reach.
func (st Stream) IntN(n uint64, bound int) int {
	if bound <= 0 {
		panic("sim.Stream.IntN: bound must be positive")
	}
	hi, _ := bits.Mul64(st.Uint64(n), uint64(bound))
	return int(hi)
}

// Normal is the n-th draw from the standard normal distribution, by the
// Box–Muller transform of two keyed uniforms.
func (st Stream) Normal(n uint64) float64 {
	u1 := 1 - st.Float64(2*n) // (0, 1]
	u2 := st.Float64(2*n + 1)
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// Rand returns a sequential generator seeded from the stream, for code that
// wants math/rand/v2's API (shuffles, distributions). Its draws depend on
// how many were taken before, so prefer keyed draws where a count of
// attempts exists.
func (st Stream) Rand() *rand.Rand {
	return rand.New(rand.NewPCG(st.k0, st.k1))
}

// mix64 is a bijective 64-bit finaliser (the SplitMix64 output function).
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// fnv64 is the 64-bit FNV-1a hash of s.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
