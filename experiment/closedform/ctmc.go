package closedform

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Stationary returns the stationary distribution π of an irreducible
// continuous-time Markov chain given by its generator q (q[i][j] ≥ 0 is
// the rate from state i to state j for i ≠ j; the diagonal is ignored and
// taken as minus the row sum): the solution of πQ = 0 with Σπ = 1.
//
// It uses the Grassmann–Taksar–Heyman state reduction (Grassmann, Taksar
// and Heyman, "Regenerative analysis and steady state distributions for
// Markov chains", Operations Research 33(5), 1985), Gaussian elimination
// that only adds and multiplies non-negative numbers. Each probability
// therefore comes out with full relative accuracy, even the 1e-20 of a
// state where five members are down at once, where solving the linear
// system with one equation replaced by the normalisation loses the small
// probabilities to rounding against the large ones. Its cost is that of
// a dense LU factorisation, O(n³).
//
// It returns an error when the reduction meets a state with no rate
// towards the lower-numbered states: the chain is then not irreducible.
func Stationary(q mat.Matrix) ([]float64, error) {
	n, c := q.Dims()
	if n != c {
		return nil, fmt.Errorf("closedform: generator is %d×%d; a generator is square", n, c)
	}
	if n == 0 {
		return nil, fmt.Errorf("closedform: generator has no states")
	}
	a := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			v := q.At(i, j)
			if v < 0 {
				return nil, fmt.Errorf("closedform: generator rate from state %d to %d is %g; rates off the diagonal are ≥ 0", i, j, v)
			}
			a.Set(i, j, v)
		}
	}
	// Eliminate states n-1, ..., 1: fold the paths through state k into
	// the rates among the states below it, and keep in column k the
	// rates into k scaled by k's total rate towards the states below.
	for k := n - 1; k > 0; k-- {
		s := 0.0
		for j := 0; j < k; j++ {
			s += a.At(k, j)
		}
		if s == 0 {
			return nil, fmt.Errorf("closedform: generator is not irreducible: state %d cannot reach states 0..%d", k, k-1)
		}
		for i := 0; i < k; i++ {
			a.Set(i, k, a.At(i, k)/s)
		}
		for i := 0; i < k; i++ {
			aik := a.At(i, k)
			if aik == 0 {
				continue
			}
			for j := 0; j < k; j++ {
				if i != j {
					a.Set(i, j, a.At(i, j)+aik*a.At(k, j))
				}
			}
		}
	}
	pi := make([]float64, n)
	pi[0] = 1
	total := 1.0
	for k := 1; k < n; k++ {
		v := 0.0
		for i := 0; i < k; i++ {
			v += pi[i] * a.At(i, k)
		}
		pi[k] = v
		total += v
	}
	for i := range pi {
		pi[i] /= total
	}
	return pi, nil
}
