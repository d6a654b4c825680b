package closedform

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

const tol = 1e-9 // relative

func near(a, b, rel float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b))
}

func checkNear(t *testing.T, what string, got, want float64) {
	t.Helper()
	if !near(got, want, tol) {
		t.Errorf("%s = %.15g, want %.15g (relative error %.3g)", what, got, want, math.Abs(got-want)/math.Abs(want))
	}
}

func hours(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }

var (
	host   = Rates{MTBF: hours(2000), MTTR: hours(4)}
	host2  = Rates{MTBF: hours(700), MTTR: hours(9)}
	lbHost = Rates{MTBF: hours(4000), MTTR: hours(2)}
	zone   = Rates{MTBF: hours(8766), MTTR: hours(6)}
	zoneB  = Rates{MTBF: hours(3000), MTTR: hours(11)}
)

func zones(names ...string) []Zone {
	var zs []Zone
	for i, n := range names {
		r := zone
		if i == 1 {
			r = zoneB
		}
		zs = append(zs, Zone{Name: n, Rates: r})
	}
	return zs
}

// member is a voting etcd member alone on a host, with no zone.
func voters(n int, r Rates) []Host {
	var hs []Host
	for i := 0; i < n; i++ {
		hs = append(hs, Host{Name: fmt.Sprintf("etcd-%d", i+1), Etcd: true, Rates: r})
	}
	return hs
}

func binom(n, k int) float64 {
	c := 1.0
	for i := 0; i < k; i++ {
		c = c * float64(n-i) / float64(i+1)
	}
	return c
}

// Cross-check 1: with one class of n voters and no zones, the quorum is
// down when more than n − ⌊n/2⌋ − 1 members are down: the k-of-n binomial
// with per-member unavailability u = MTTR / (MTBF + MTTR).
func TestQuorumIsBinomial(t *testing.T) {
	for _, n := range []int{1, 3, 5, 7} {
		for _, r := range []Rates{host, {MTBF: 365 * 24 * time.Hour, MTTR: time.Hour}, {MTBF: hours(30), MTTR: hours(20)}} {
			u := r.MTTR.Hours() / (r.MTBF.Hours() + r.MTTR.Hours())
			want := 0.0
			for j := n - n/2; j <= n; j++ {
				want += binom(n, j) * math.Pow(u, float64(j)) * math.Pow(1-u, float64(n-j))
			}
			topo := Topology{Hosts: append(voters(n, r), Host{Name: "api", APIServer: true})}
			res, err := Solve(topo)
			if err != nil {
				t.Fatal(err)
			}
			checkNear(t, fmt.Sprintf("%d voters %v/%v: quorum unavailability", n, r.MTBF, r.MTTR), res.Quorum.Unavailability, want)
			if res.States != n+1 {
				t.Errorf("%d interchangeable voters: %d states, want %d (one class)", n, res.States, n+1)
			}
			// The same members, each in its own zone that never fails:
			// n classes of one host, 2ⁿ states, the same figure.
			spread := topo
			spread.Hosts = append([]Host(nil), topo.Hosts...)
			for i := 0; i < n; i++ {
				z := fmt.Sprintf("z%d", i)
				spread.Zones = append(spread.Zones, Zone{Name: z})
				spread.Hosts[i].Zone = z
			}
			res2, err := Solve(spread)
			if err != nil {
				t.Fatal(err)
			}
			checkNear(t, fmt.Sprintf("%d voters in zones that never fail: quorum unavailability", n), res2.Quorum.Unavailability, want)
			if res2.States != 1<<n {
				t.Errorf("%d voters in distinct zones: %d states, want %d", n, res2.States, 1<<n)
			}
		}
	}
}

// Cross-check 3: one component's outages come once per cycle of mean
// MTBF + MTTR and last MTTR on average.
func TestSingleComponentFrequency(t *testing.T) {
	for _, r := range []Rates{host, {MTBF: 365 * 24 * time.Hour, MTTR: time.Hour}} {
		res, err := Solve(Topology{Hosts: []Host{{Name: "m1", Etcd: true, APIServer: true, Rates: r}}})
		if err != nil {
			t.Fatal(err)
		}
		for name, m := range map[string]Measure{"quorum": res.Quorum, "endpoint": res.Endpoint, "writes": res.Writes} {
			checkNear(t, name+" outages per year", m.OutagesPerYear, Year.Hours()/(r.MTBF.Hours()+r.MTTR.Hours()))
			checkNear(t, name+" mean outage (h)", m.MeanOutage.Hours(), r.MTTR.Hours())
			checkNear(t, name+" unavailability", m.Unavailability, r.MTTR.Hours()/(r.MTBF.Hours()+r.MTTR.Hours()))
			checkNear(t, name+" downtime per year (h)", m.DowntimePerYear.Hours(), m.Unavailability*Year.Hours())
			checkNear(t, name+" nines", m.Nines, -math.Log10(m.Unavailability))
		}
	}
}

// Cross-check 4: a 2-out-of-3 system fails from the states with exactly
// two members up, at rate 2λ: f = 3a²(1−a) · 2λ (Billinton and Allan,
// "Reliability Evaluation of Engineering Systems", frequency and duration
// of k-out-of-n systems); its outages last U/f on average, with
// U = 3a(1−a)² + (1−a)³.
func TestTwoOutOfThreeFrequency(t *testing.T) {
	for _, r := range []Rates{host, {MTBF: hours(30), MTTR: hours(20)}} {
		lambda, mu := 1/r.MTBF.Hours(), 1/r.MTTR.Hours()
		a := mu / (lambda + mu)
		res, err := Solve(Topology{Hosts: append(voters(3, r), Host{Name: "api", APIServer: true})})
		if err != nil {
			t.Fatal(err)
		}
		checkNear(t, "2-of-3 outages per year", res.Quorum.OutagesPerYear, 3*a*a*(1-a)*2*lambda*Year.Hours())
		f := 3 * a * a * (1 - a) * 2 * lambda
		u := 3*a*(1-a)*(1-a) + (1-a)*(1-a)*(1-a)
		checkNear(t, "2-of-3 unavailability", res.Quorum.Unavailability, u)
		checkNear(t, "2-of-3 mean outage (h)", res.Quorum.MeanOutage.Hours(), u/f)
	}
}

// bruteForce enumerates every up/down combination of the hosts and of the
// zones that can fail, with the product-form probability of independent
// components, and returns for each function the probability of being down
// and the frequency of outages per hour (Σ over up combinations of
// probability × rate of the flips that bring the function down). It
// shares no code with Solve.
func bruteForce(t Topology) (down, freq [3]float64) {
	type part struct {
		lambda, mu float64
	}
	var parts []part
	zonePart := map[string]int{}
	for _, z := range t.Zones {
		if z.MTBF > 0 {
			zonePart[z.Name] = len(parts)
			parts = append(parts, part{1 / z.MTBF.Hours(), 1 / z.MTTR.Hours()})
		}
	}
	hostPart := make([]int, len(t.Hosts))
	for i, h := range t.Hosts {
		hostPart[i] = -1
		if h.MTBF > 0 {
			hostPart[i] = len(parts)
			parts = append(parts, part{1 / h.MTBF.Hours(), 1 / h.MTTR.Hours()})
		}
	}
	functions := func(upMask uint) [3]bool {
		voters, upVoters, apis, lbs := 0, 0, 0, 0
		direct := false
		firstAPI := true
		for i, h := range t.Hosts {
			up := hostPart[i] < 0 || upMask&(1<<hostPart[i]) != 0
			if zp, ok := zonePart[h.Zone]; ok && upMask&(1<<zp) == 0 {
				up = false
			}
			if h.Etcd {
				voters++
				if up {
					upVoters++
				}
			}
			if h.APIServer {
				if up {
					apis++
				}
				if firstAPI {
					direct = up
					firstAPI = false
				}
			}
			if h.LB && up {
				lbs++
			}
		}
		quorum := upVoters > voters/2
		endpoint := lbs > 0 && apis > 0
		switch t.Balancer {
		case NoBalancer:
			endpoint = direct
		case ClientFailover, ManagedBalancer:
			endpoint = apis > 0
		}
		return [3]bool{quorum, endpoint, quorum && endpoint}
	}
	all := uint(1)<<len(parts) - 1
	for mask := uint(0); mask <= all; mask++ {
		p := 1.0
		for k, pt := range parts {
			if mask&(1<<k) != 0 {
				p *= pt.mu / (pt.lambda + pt.mu)
			} else {
				p *= pt.lambda / (pt.lambda + pt.mu)
			}
		}
		f := functions(mask)
		for k, pt := range parts {
			rate := pt.lambda
			if mask&(1<<k) == 0 {
				rate = pt.mu
			}
			g := functions(mask ^ (1 << k))
			for i := range f {
				if f[i] && !g[i] {
					freq[i] += p * rate
				}
			}
		}
		for i := range f {
			if !f[i] {
				down[i] += p
			}
		}
	}
	return down, freq
}

// stacked is n stacked masters (etcd and apiserver on each) spread over
// the zones in turn.
func stacked(n int, zs []string, r Rates) []Host {
	var hs []Host
	for i := 0; i < n; i++ {
		hs = append(hs, Host{Name: fmt.Sprintf("master-%d", i+1), Zone: zs[i%len(zs)], Etcd: true, APIServer: true, Rates: r})
	}
	return hs
}

func external(etcd, apis int, zs []string, r Rates) []Host {
	var hs []Host
	for i := 0; i < etcd; i++ {
		hs = append(hs, Host{Name: fmt.Sprintf("etcd-%d", i+1), Zone: zs[i%len(zs)], Etcd: true, Rates: r})
	}
	for i := 0; i < apis; i++ {
		hs = append(hs, Host{Name: fmt.Sprintf("master-%d", i+1), Zone: zs[i%len(zs)], APIServer: true, Rates: r})
	}
	return hs
}

func lbs(zs ...string) []Host {
	var hs []Host
	for i, z := range zs {
		hs = append(hs, Host{Name: fmt.Sprintf("lb-%d", i+1), Zone: z, LB: true, Rates: lbHost})
	}
	return hs
}

func cat(parts ...[]Host) []Host {
	var hs []Host
	for _, p := range parts {
		hs = append(hs, p...)
	}
	return hs
}

var abc = []string{"a", "b", "c"}

// testTopologies are small stacked and external topologies with zones,
// lumped classes and classes of one, and every kind of endpoint.
func testTopologies() map[string]Topology {
	mixed := cat(stacked(3, abc, host), lbs("a", "b"))
	mixed[2].Rates = host2 // master-3 apart from the others
	return map[string]Topology{
		"single master":                            {Hosts: stacked(1, []string{"a"}, host), Zones: zones("a")},
		"stacked 3, 3 zones, no balancer":          {Hosts: stacked(3, abc, host), Zones: zones(abc...)},
		"stacked 3, 2 zones, single lb":            {Hosts: cat(stacked(3, []string{"a", "b"}, host), lbs("")), Zones: zones("a", "b"), Balancer: SingleBalancer},
		"stacked 3, 3 zones, failover pair":        {Hosts: mixed, Zones: zones(abc...), Balancer: FailoverBalancers},
		"stacked 5, 1 zone, lb in zone":            {Hosts: cat(stacked(5, []string{"a"}, host), lbs("a")), Zones: zones("a"), Balancer: SingleBalancer},
		"external 3+2, 3 zones, single lb":         {Hosts: cat(external(3, 2, abc, host), lbs("c")), Zones: zones(abc...), Balancer: SingleBalancer},
		"external 5+3, 3 zones, pair":              {Hosts: cat(external(5, 3, abc, host), lbs("a", "b")), Zones: zones(abc...), Balancer: FailoverBalancers},
		"external 3+3, 2 zones, no lb":             {Hosts: external(3, 3, []string{"a", "b"}, host2), Zones: zones("a", "b")},
		"external 3+3, 2 zones, clients fail over": {Hosts: external(3, 3, []string{"a", "b"}, host2), Zones: zones("a", "b"), Balancer: ClientFailover},
		"stacked 3, 3 zones, clients fail over":    {Hosts: stacked(3, abc, host), Zones: zones(abc...), Balancer: ClientFailover},
		"stacked 3, 3 zones, managed lb":           {Hosts: stacked(3, abc, host), Zones: zones(abc...), Balancer: ManagedBalancer},
		"lb on the masters (kube-vip)": {Hosts: func() []Host {
			hs := stacked(3, abc, host)
			for i := range hs {
				hs[i].LB = true
			}
			return hs
		}(), Zones: zones(abc...), Balancer: FailoverBalancers},
	}
}

// Cross-check 2: the lumped chain against a brute-force enumeration of
// every host and zone, up or down.
func TestAgainstBruteForce(t *testing.T) {
	for name, topo := range testTopologies() {
		t.Run(name, func(t *testing.T) {
			res, err := Solve(topo)
			if err != nil {
				t.Fatal(err)
			}
			down, freq := bruteForce(topo)
			for i, m := range []Measure{res.Quorum, res.Endpoint, res.Writes} {
				fn := []string{"quorum", "endpoint", "writes"}[i]
				checkNear(t, fn+" unavailability", m.Unavailability, down[i])
				checkNear(t, fn+" outages per year", m.OutagesPerYear, freq[i]*Year.Hours())
				checkNear(t, fn+" mean outage (h)", m.MeanOutage.Hours(), down[i]/freq[i])
			}
		})
	}
}

// In steady state the flow from up to down equals the flow back.
func TestOutageFlowsBalance(t *testing.T) {
	for name, topo := range testTopologies() {
		c, err := build(topo)
		if err != nil {
			t.Fatal(err)
		}
		for f, tl := range c.measure() {
			if !near(tl.upToDown, tl.downToUp, 1e-12) {
				t.Errorf("%s: function %d: up→down flow %g, down→up %g", name, f, tl.upToDown, tl.downToUp)
			}
		}
	}
}

// fullGenerator is the generator of the whole lumped chain, states
// numbered as measure enumerates them (last component fastest).
func fullGenerator(c *chain) *mat.Dense {
	q := mat.NewDense(c.states, c.states, nil)
	stride := make([]int, len(c.comps))
	s := 1
	for k := len(c.comps) - 1; k >= 0; k-- {
		stride[k] = s
		s *= c.comps[k].size
	}
	for i := 0; i < c.states; i++ {
		rest := i
		for k := range c.comps {
			d := rest / stride[k]
			rest %= stride[k]
			if r := c.comps[k].fail[d]; r > 0 {
				q.Set(i, i+stride[k], q.At(i, i+stride[k])+r)
			}
			if r := c.comps[k].repair[d]; r > 0 {
				q.Set(i, i-stride[k], q.At(i, i-stride[k])+r)
			}
		}
		sum := 0.0
		for j := 0; j < c.states; j++ {
			sum += q.At(i, j)
		}
		q.Set(i, i, -sum)
	}
	return q
}

func productVector(c *chain) []float64 {
	pi := []float64{1}
	for _, comp := range c.comps {
		next := make([]float64, 0, len(pi)*comp.size)
		for _, p := range pi {
			for _, v := range comp.pi {
				next = append(next, p*v)
			}
		}
		pi = next
	}
	return pi
}

// The Kronecker product of the components' stationary vectors is the
// stationary vector of the whole chain: solving the whole generator
// directly, by state reduction and by gonum's LU with one equation of
// πQ = 0 replaced by Σπ = 1, gives the same vector.
func TestProductFormSolvesWholeChain(t *testing.T) {
	for _, name := range []string{"stacked 3, 3 zones, failover pair", "external 3+2, 3 zones, single lb", "stacked 3, 2 zones, single lb"} {
		topo := testTopologies()[name]
		c, err := build(topo)
		if err != nil {
			t.Fatal(err)
		}
		q := fullGenerator(c)
		want := productVector(c)
		gth, err := Stationary(q)
		if err != nil {
			t.Fatal(err)
		}
		n := c.states
		var a mat.Dense
		a.CloneFrom(q.T())
		for j := 0; j < n; j++ {
			a.Set(n-1, j, 1)
		}
		b := mat.NewVecDense(n, nil)
		b.SetVec(n-1, 1)
		var lu mat.VecDense
		if err := lu.SolveVec(&a, b); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			if !near(gth[i], want[i], tol) {
				t.Errorf("%s: state %d: whole chain by state reduction %g, product %g", name, i, gth[i], want[i])
			}
			// LU loses the relative precision of the smallest
			// probabilities; compare it in absolute terms.
			if math.Abs(lu.AtVec(i)-want[i]) > 1e-12 {
				t.Errorf("%s: state %d: whole chain by LU %g, product %g", name, i, lu.AtVec(i), want[i])
			}
		}
		// And the balance πQ = 0 holds for the product.
		var r mat.VecDense
		r.MulVec(q.T(), mat.NewVecDense(n, want))
		if m := mat.Norm(&r, math.Inf(1)); m > 1e-15 {
			t.Errorf("%s: ‖πQ‖∞ = %g for the product vector", name, m)
		}
	}
}

// Stacked masters share hosts between the quorum and the endpoint, so
// writes are not the product of the two. Three masters without a balancer
// (clients on master-1): writes need master-1 and one of the others,
// a·(1−(1−a)²), while the product is a·(3a²−2a³).
func TestStackedWritesAreNotAProduct(t *testing.T) {
	r := Rates{MTBF: hours(90), MTTR: hours(10)}
	a := 0.9
	res, err := Solve(Topology{Hosts: stacked(3, []string{""}, r)})
	if err != nil {
		t.Fatal(err)
	}
	checkNear(t, "stacked writes availability", res.Writes.Availability, a*(1-(1-a)*(1-a)))
	checkNear(t, "stacked quorum availability", res.Quorum.Availability, 3*a*a-2*a*a*a)
	checkNear(t, "stacked endpoint availability", res.Endpoint.Availability, a)
	if prod := res.Quorum.Availability * res.Endpoint.Availability; near(prod, res.Writes.Availability, 1e-3) {
		t.Errorf("stacked writes %g equal the product %g of quorum and endpoint", res.Writes.Availability, prod)
	}
	// External etcd without zones shares nothing: writes are the product.
	ext, err := Solve(Topology{Hosts: cat(external(3, 2, []string{""}, r), lbs("")), Balancer: SingleBalancer})
	if err != nil {
		t.Fatal(err)
	}
	checkNear(t, "external writes availability", ext.Writes.Availability, ext.Quorum.Availability*ext.Endpoint.Availability)
}

// The topology the package targets: 5 external etcd members, 3
// apiservers and a failover pair of load balancers in 3 zones.
func target() Topology {
	return Topology{Hosts: cat(external(5, 3, abc, host), lbs("a", "b")), Zones: zones(abc...), Balancer: FailoverBalancers}
}

func TestTargetTopologyStates(t *testing.T) {
	res, err := Solve(target())
	if err != nil {
		t.Fatal(err)
	}
	// Zones a, b, c up/down (2³); zone a: 2 etcd (3 states), 1 apiserver,
	// 1 LB (2 each); zone b the same; zone c: 1 etcd, 1 apiserver.
	if want := 8 * 12 * 12 * 4; res.States != want {
		t.Errorf("states = %d, want %d", res.States, want)
	}
	if res.Assumptions != Assumptions || !strings.Contains(Assumptions, "instant failover") {
		t.Errorf("assumptions %q", res.Assumptions)
	}
	// A zone outage stops etcd-1 and etcd-4 (zone a) together; the
	// quorum is never better than without zones.
	noZones := target()
	noZones.Zones = nil
	for i := range noZones.Hosts {
		noZones.Hosts[i].Zone = ""
	}
	nz, err := Solve(noZones)
	if err != nil {
		t.Fatal(err)
	}
	if !(res.Quorum.Unavailability > 10*nz.Quorum.Unavailability) {
		t.Errorf("quorum unavailability with zones %g, without %g: zone outages should dominate", res.Quorum.Unavailability, nz.Quorum.Unavailability)
	}
}

func BenchmarkTargetTopology(b *testing.B) {
	topo := target()
	for b.Loop() {
		if _, err := Solve(topo); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRejects(t *testing.T) {
	ok := func() Topology {
		return Topology{Hosts: cat(stacked(3, abc, host), lbs("a")), Zones: zones(abc...), Balancer: SingleBalancer}
	}
	cases := []struct {
		name   string
		change func(*Topology)
		want   string
	}{
		{"no voter", func(t *Topology) {
			for i := range t.Hosts {
				t.Hosts[i].Etcd = false
			}
		}, "closedform: no host has an etcd voting member; at least one is needed"},
		{"no apiserver behind a balancer", func(t *Topology) {
			for i := range t.Hosts {
				t.Hosts[i].APIServer = false
			}
		}, "closedform: no host has a kube-apiserver, with balancer single and 1 load-balancer hosts; an etcd-only topology has balancer none and no load-balancer host"},
		{"unknown zone", func(t *Topology) { t.Hosts[1].Zone = "d" },
			`closedform: hosts[1] (master-2): zone "d" is not among the zones; allowed: "a", "b", "c", or empty for no zone`},
		{"host named twice", func(t *Topology) { t.Hosts[2].Name = "master-1" }, "closedform: hosts[2] (master-1): host named twice"},
		{"zone named twice", func(t *Topology) { t.Zones[2].Name = "a" }, "closedform: zones[2] (a): zone named twice"},
		{"unnamed host", func(t *Topology) { t.Hosts[0].Name = "" }, "closedform: hosts[0]: empty name; a host needs a name"},
		{"negative MTBF", func(t *Topology) { t.Hosts[0].MTBF = -time.Hour },
			"closedform: hosts[0] (master-1): MTBF -1h0m0s is negative; allowed: 0 (never fails) or a positive duration"},
		{"no repair", func(t *Topology) { t.Zones[1].MTTR = 0 },
			"closedform: zones[1] (b): MTTR 0s with MTBF 3000h0m0s; a component that fails needs a positive MTTR"},
		{"single without lb", func(t *Topology) { t.Hosts = t.Hosts[:3] },
			"closedform: 0 load-balancer hosts with balancer single; allowed: exactly one"},
		{"failover with one", func(t *Topology) { t.Balancer = FailoverBalancers },
			"closedform: 1 load-balancer hosts with balancer failover; allowed: two or more"},
		{"lb without balancer", func(t *Topology) { t.Balancer = NoBalancer },
			"closedform: 1 load-balancer hosts with balancer none; allowed: none, client-failover and managed with no LB host, single with one, failover with two or more"},
		{"lb with client failover", func(t *Topology) { t.Balancer = ClientFailover },
			"closedform: 1 load-balancer hosts with balancer client-failover; allowed: none, client-failover and managed with no LB host, single with one, failover with two or more"},
		{"unknown balancer", func(t *Topology) { t.Balancer = 7 }, "closedform: balancer Balancer(7); allowed: none, single, failover, client-failover, managed"},
		{"too many states", func(t *Topology) {
			t.Hosts = nil
			for i := 0; i < 23; i++ {
				t.Hosts = append(t.Hosts, Host{Name: fmt.Sprint(i), Etcd: true, APIServer: true, Rates: Rates{MTBF: hours(float64(1000 + i)), MTTR: time.Hour}})
			}
			t.Balancer = NoBalancer
		}, "closedform: the lumped chain has more than 4194304 states (23 classes of hosts with distinct zone, roles or rates, 0 zones that fail); give interchangeable hosts the same rates, or use fewer classes"},
	}
	for _, tc := range cases {
		topo := ok()
		tc.change(&topo)
		_, err := Solve(topo)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := Solve(ok()); err != nil {
		t.Errorf("the unchanged topology: %v", err)
	}
}

func TestStationaryRejects(t *testing.T) {
	if _, err := Stationary(mat.NewDense(2, 3, nil)); err == nil || !strings.Contains(err.Error(), "2×3") {
		t.Errorf("non-square generator: %v", err)
	}
	q := mat.NewDense(2, 2, []float64{-1, 1, 0, 0})
	if _, err := Stationary(q); err == nil || !strings.Contains(err.Error(), "not irreducible") {
		t.Errorf("absorbing state: %v", err)
	}
	q = mat.NewDense(2, 2, []float64{-1, -1, 1, -1})
	if _, err := Stationary(q); err == nil || !strings.Contains(err.Error(), "≥ 0") {
		t.Errorf("negative rate: %v", err)
	}
}

// An etcd-only topology (no apiserver, no balancer) gives its quorum alone:
// the same figure as with an apiserver beside it, and zero Endpoint and
// Writes, with API false.
func TestEtcdOnly(t *testing.T) {
	for _, n := range []int{3, 5} {
		only := Topology{Hosts: stacked(n, abc, host), Zones: zones(abc...)}
		for i := range only.Hosts {
			only.Hosts[i].APIServer = false
		}
		with := only
		with.Hosts = append(append([]Host(nil), only.Hosts...), Host{Name: "api", APIServer: true})
		a, err := Solve(only)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Solve(with)
		if err != nil {
			t.Fatal(err)
		}
		if a.API || !b.API {
			t.Errorf("%d voters: API %v without an apiserver, %v with one", n, a.API, b.API)
		}
		checkNear(t, fmt.Sprintf("%d voters, etcd only: quorum unavailability", n), a.Quorum.Unavailability, b.Quorum.Unavailability)
		checkNear(t, fmt.Sprintf("%d voters, etcd only: outages per year", n), a.Quorum.OutagesPerYear, b.Quorum.OutagesPerYear)
		if a.Endpoint != (Measure{}) || a.Writes != (Measure{}) {
			t.Errorf("%d voters, etcd only: endpoint %+v, writes %+v; want zero", n, a.Endpoint, a.Writes)
		}
	}
	for _, b := range []Balancer{SingleBalancer, FailoverBalancers, ClientFailover} {
		topo := Topology{Hosts: voters(3, host), Balancer: b}
		if _, err := Solve(topo); err == nil {
			t.Errorf("etcd only with balancer %v: no error", b)
		}
	}
}
