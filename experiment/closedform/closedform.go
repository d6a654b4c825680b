// Package closedform computes the steady-state availability of a
// Kubernetes control plane from failure and repair rates alone, as a
// figure to stand beside hasim's simulated availability: the closed form
// assumes failover takes no time, so the difference between the two is
// what the failover dynamics (elections, lease takeovers, health checks,
// retries) cost.
//
// # What it computes
//
// For a topology of hosts, each in a zone and with roles (etcd voting
// member, kube-apiserver, load-balancer host), Solve gives three
// functions:
//
//   - Quorum: a majority of the etcd voters is up (etcd serves writes and
//     linearizable reads only with a quorum; see etcd's FAQ, "Why an odd
//     number of cluster members?").
//   - Endpoint: at least one kube-apiserver is up and reachable through a
//     working endpoint: without a load balancer, the first apiserver,
//     which clients use directly, or any apiserver when clients hold the
//     list of all of them; behind a single load-balancer host, that host
//     and any apiserver; behind a failover group (keepalived/VRRP or
//     kube-vip), any load-balancer host and any apiserver.
//   - Writes: Quorum and Endpoint at once. Where etcd members and
//     apiservers share hosts (the stacked topology) or zones, the two are
//     correlated and Writes is not the product of the other two.
//
// An etcd-only topology (no apiserver, no load balancer) has Quorum alone.
//
// Each comes as a Measure: unavailability, downtime per year, nines, the
// frequency of outages (transitions from up to down) and their mean
// duration.
//
// # Assumptions
//
// Failover is instant; every host fails and is repaired independently,
// with exponentially distributed times (mean time between failures MTBF,
// mean time to repair MTTR), each with its own repair crew; a zone
// outage, with its own exponential MTBF and MTTR, stops every host in the
// zone while it lasts (a common-cause failure) without changing the
// hosts' own failure and repair processes. The text is in Assumptions.
//
// Under these independence assumptions the figures depend on the
// distributions of the up and down times only through their means: each
// host and zone is an alternating renewal process, up a long-run fraction
// MTBF/(MTBF+MTTR) of the time and failing 1/(MTBF+MTTR) times per unit
// of time whatever the distributions (Ross, "Stochastic Processes", 2nd
// ed., Wiley 1996, chapter 3), and independent processes combine as
// independent exponential ones do. The closed form therefore also stands
// beside failure processes with Weibull or lognormal times.
//
// # Method
//
// The state of the control plane is a continuous-time Markov chain
// (Trivedi, "Probability and Statistics with Reliability, Queuing and
// Computer Science Applications", 2nd ed., Wiley 2002, chapter 8, for
// availability models of this kind). Hosts that are interchangeable (same
// zone, same roles, same rates) are lumped: the state holds how many of
// them are down, not which, so a class of n hosts has n+1 states instead
// of 2ⁿ; each zone that can fail adds an up/down component. Because the
// components are independent, the generator Q of the whole chain is the
// Kronecker sum of the components' generators and its stationary vector
// (πQ = 0, Σπ = 1) is the Kronecker product of theirs (Plateau, "On the
// stochastic structure of parallelism and synchronization models for
// distributed algorithms", SIGMETRICS 1985). Each component's generator
// is built as a gonum mat.Dense and solved by Stationary; the product is
// then enumerated state by state, which gives the probability of every
// state where a function is down (a sum of positive terms, each with full
// relative precision, so it stays precise at many nines) and the outage
// frequency
// Σ over up states i of π_i × (rate from i into down states). The mean
// outage is unavailability / frequency. An external topology of 5 etcd
// hosts, 3 apiservers and 2 load balancers in 3 zones has a few thousand
// lumped states and solves in milliseconds.
//
// Zones as common-cause failures follow the observation of Ford et al.,
// "Availability in Globally Distributed Storage Systems", OSDI 2010, that
// correlated failures of a failure domain dominate unavailability where
// independent failures alone would predict far better figures.
package closedform

import (
	"fmt"
	"math"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"
)

// Assumptions is what every figure of this package assumes, in words a
// report can print beside it.
const Assumptions = "instant failover, independent exponential failures and repairs, " +
	"repair of each host independent (unlimited repair crews), zone outage stops every host in the zone"

// Year is the year of downtime per year and outages per year: 365.25 days.
const Year = time.Duration(365.25 * 24 * float64(time.Hour))

// Rates are failure and repair: the mean time between failures (from a
// repair to the next failure) and the mean time to repair, of exponential
// times (or of any times with these means; see Assumptions in the package
// documentation). An MTBF of zero means it never fails; then MTTR is not
// used. A time.Duration holds up to about 292 years.
type Rates struct {
	MTBF, MTTR time.Duration
}

// Host is one host of the control plane and the roles it carries.
type Host struct {
	Name string
	// Zone names the host's zone among Topology.Zones; empty means the
	// host is in no zone and no zone outage stops it.
	Zone string
	// Etcd is an etcd voting member on the host (a learner does not count
	// towards the quorum and is left out).
	Etcd bool
	// APIServer is a kube-apiserver on the host.
	APIServer bool
	// LB is a load-balancer host (HAProxy, keepalived or kube-vip).
	LB bool
	Rates
}

// Zone is a failure domain: an outage stops every host in it.
type Zone struct {
	Name string
	Rates
}

// Balancer is how clients reach the apiservers.
type Balancer int

const (
	// NoBalancer: clients use the first apiserver (in Hosts order)
	// directly. No host may have LB set.
	NoBalancer Balancer = iota
	// SingleBalancer: one load-balancer host (HAProxy) in front of every
	// apiserver. Exactly one host has LB set (for HAProxy on several
	// hosts that clients reach through the first, set it on the first).
	SingleBalancer
	// FailoverBalancers: an active/passive group (keepalived/VRRP moving a
	// virtual IP, or kube-vip); the endpoint works while any of its hosts
	// is up. At least two hosts have LB set.
	FailoverBalancers
	// ClientFailover: no load balancer; clients hold the list of every
	// apiserver and fail over themselves (client-go or etcd clients given
	// every endpoint), so the endpoint works while any apiserver is up.
	// No host may have LB set.
	ClientFailover
	// ManagedBalancer: a cloud provider's managed load balancer, which
	// does not fail (zone-redundant, run by the provider): the endpoint
	// works while any apiserver is up. No host may have LB set.
	ManagedBalancer
)

func (b Balancer) String() string {
	switch b {
	case NoBalancer:
		return "none"
	case SingleBalancer:
		return "single"
	case FailoverBalancers:
		return "failover"
	case ClientFailover:
		return "client-failover"
	case ManagedBalancer:
		return "managed"
	}
	return fmt.Sprintf("Balancer(%d)", int(b))
}

// Topology is what Solve needs: the hosts, the zones they are in and the
// endpoint in front of the apiservers.
type Topology struct {
	Hosts    []Host
	Zones    []Zone
	Balancer Balancer
}

// Measure is one function's steady-state figures.
type Measure struct {
	// Availability is the long-run fraction of time the function is up;
	// Unavailability is 1 − Availability, computed directly (not by
	// subtraction) so that it keeps its precision.
	Availability, Unavailability float64
	// DowntimePerYear is Unavailability × Year.
	DowntimePerYear time.Duration
	// Nines is −log10(Unavailability): 3 for 99.9%. +Inf when the
	// function never goes down.
	Nines float64
	// OutagesPerYear is the long-run rate of transitions from up to down.
	OutagesPerYear float64
	// MeanOutage is the mean duration of an outage: Unavailability /
	// frequency. Zero when the function never goes down.
	MeanOutage time.Duration
}

// Result is the closed form of a topology.
type Result struct {
	Quorum, Endpoint, Writes Measure
	// API is false for an etcd-only topology (no host has an apiserver):
	// then only Quorum is computed, and Endpoint and Writes are zero.
	API bool
	// States is the number of states of the lumped Markov chain.
	States int
	// Assumptions is the package's Assumptions.
	Assumptions string
}

// MaxStates bounds the lumped chain Solve enumerates. Hosts that share a
// zone, roles and rates share a class and cost little; it is hosts with
// distinct rates or roles that multiply states.
const MaxStates = 1 << 22

// Solve computes the closed form of t. A topology without apiservers is
// an etcd-only cluster (balancer none, no load-balancer host): Solve gives
// its Quorum alone. It returns an error that says what is wrong for a
// topology it cannot solve: no etcd voter, no apiserver behind a load
// balancer, load-balancer hosts that do not fit the Balancer, unknown or repeated
// zones and names, negative times, a failure without a repair time, or a
// chain of more than MaxStates states.
func Solve(t Topology) (Result, error) {
	c, err := build(t)
	if err != nil {
		return Result{}, err
	}
	m := c.measure()
	r := Result{
		Quorum:      m[fnQuorum].measure(),
		API:         c.api,
		States:      c.states,
		Assumptions: Assumptions,
	}
	if c.api {
		r.Endpoint, r.Writes = m[fnEndpoint].measure(), m[fnWrites].measure()
	}
	return r, nil
}

// The functions, as bits of a state's status.
const (
	fnQuorum = iota
	fnEndpoint
	fnWrites
	nFunctions
)

// component is one independent part of the chain: a class of
// interchangeable hosts (state: how many are down) or a zone (state 0 up,
// 1 down).
type component struct {
	size int
	// fail[d] is the rate from state d to d+1, repair[d] from d to d−1
	// (per hour).
	fail, repair []float64
	pi           []float64
}

// class is a set of interchangeable hosts.
type class struct {
	n                     int
	etcd, api, lb, direct bool
	comp                  int // component index of the class
	zone                  int // component index of its zone; −1 when it cannot fail
	zoneName              string
	mtbf, mttr            time.Duration
}

type chain struct {
	comps    []component
	classes  []class
	quorum   int // voters needed
	balancer Balancer
	api      bool // some host has an apiserver (else an etcd-only topology)
	states   int
}

func perHour(d time.Duration) float64 { return float64(time.Hour) / float64(d) }

func checkRates(what string, r Rates) error {
	if r.MTBF < 0 {
		return fmt.Errorf("closedform: %s: MTBF %v is negative; allowed: 0 (never fails) or a positive duration", what, r.MTBF)
	}
	if r.MTBF > 0 && r.MTTR <= 0 {
		return fmt.Errorf("closedform: %s: MTTR %v with MTBF %v; a component that fails needs a positive MTTR", what, r.MTTR, r.MTBF)
	}
	return nil
}

func build(t Topology) (*chain, error) {
	if t.Balancer < NoBalancer || t.Balancer > ManagedBalancer {
		return nil, fmt.Errorf("closedform: balancer %v; allowed: none, single, failover, client-failover, managed", t.Balancer)
	}
	zoneIx := map[string]int{}
	var zoneNames []string
	for i, z := range t.Zones {
		what := fmt.Sprintf("zones[%d] (%s)", i, z.Name)
		if z.Name == "" {
			return nil, fmt.Errorf("closedform: zones[%d]: empty name; a zone needs a name", i)
		}
		if _, dup := zoneIx[z.Name]; dup {
			return nil, fmt.Errorf("closedform: %s: zone named twice", what)
		}
		if err := checkRates(what, z.Rates); err != nil {
			return nil, err
		}
		zoneIx[z.Name] = i
		zoneNames = append(zoneNames, z.Name)
	}
	names := map[string]bool{}
	voters, apis, lbs, direct := 0, 0, 0, -1
	for i, h := range t.Hosts {
		what := fmt.Sprintf("hosts[%d] (%s)", i, h.Name)
		if h.Name == "" {
			return nil, fmt.Errorf("closedform: hosts[%d]: empty name; a host needs a name", i)
		}
		if names[h.Name] {
			return nil, fmt.Errorf("closedform: %s: host named twice", what)
		}
		names[h.Name] = true
		if _, ok := zoneIx[h.Zone]; h.Zone != "" && !ok {
			return nil, fmt.Errorf("closedform: %s: zone %q is not among the zones; allowed: %s, or empty for no zone", what, h.Zone, quoted(zoneNames))
		}
		if err := checkRates(what, h.Rates); err != nil {
			return nil, err
		}
		if h.Etcd {
			voters++
		}
		if h.APIServer {
			apis++
			if direct < 0 {
				direct = i
			}
		}
		if h.LB {
			lbs++
		}
	}
	switch {
	case voters == 0:
		return nil, fmt.Errorf("closedform: no host has an etcd voting member; at least one is needed")
	case apis == 0 && (t.Balancer != NoBalancer || lbs != 0):
		return nil, fmt.Errorf("closedform: no host has a kube-apiserver, with balancer %v and %d load-balancer hosts; an etcd-only topology has balancer none and no load-balancer host", t.Balancer, lbs)
	case (t.Balancer == NoBalancer || t.Balancer == ClientFailover || t.Balancer == ManagedBalancer) && lbs != 0:
		return nil, fmt.Errorf("closedform: %d load-balancer hosts with balancer %v; allowed: none, client-failover and managed with no LB host, single with one, failover with two or more", lbs, t.Balancer)
	case t.Balancer == SingleBalancer && lbs != 1:
		return nil, fmt.Errorf("closedform: %d load-balancer hosts with balancer single; allowed: exactly one", lbs)
	case t.Balancer == FailoverBalancers && lbs < 2:
		return nil, fmt.Errorf("closedform: %d load-balancer hosts with balancer failover; allowed: two or more", lbs)
	}

	c := &chain{quorum: voters/2 + 1, balancer: t.Balancer, api: apis > 0}
	// Zone components, in Zones order, for the zones that can fail and
	// hold a host.
	zoneComp := make([]int, len(t.Zones))
	for i := range zoneComp {
		zoneComp[i] = -1
	}
	for _, h := range t.Hosts {
		if h.Zone == "" {
			continue
		}
		zi := zoneIx[h.Zone]
		if z := t.Zones[zi]; z.MTBF > 0 && zoneComp[zi] < 0 {
			zoneComp[zi] = -2 // needed
		}
	}
	for zi, z := range t.Zones {
		if zoneComp[zi] == -2 {
			zoneComp[zi] = len(c.comps)
			c.comps = append(c.comps, component{size: 2, fail: []float64{perHour(z.MTBF), 0}, repair: []float64{0, perHour(z.MTTR)}})
		}
	}
	// Classes, in order of their first host.
	for i, h := range t.Hosts {
		isDirect := t.Balancer == NoBalancer && i == direct
		zc := -1
		if h.Zone != "" {
			zc = zoneComp[zoneIx[h.Zone]]
		}
		mttr := h.MTTR
		if h.MTBF == 0 {
			mttr = 0
		}
		found := false
		for k := range c.classes {
			cl := &c.classes[k]
			if cl.zoneName == h.Zone && cl.etcd == h.Etcd && cl.api == h.APIServer && cl.lb == h.LB &&
				cl.direct == isDirect && cl.mtbf == h.MTBF && cl.mttr == mttr {
				cl.n++
				found = true
				break
			}
		}
		if !found {
			c.classes = append(c.classes, class{n: 1, etcd: h.Etcd, api: h.APIServer, lb: h.LB, direct: isDirect,
				zone: zc, zoneName: h.Zone, mtbf: h.MTBF, mttr: mttr})
		}
	}
	for k := range c.classes {
		cl := &c.classes[k]
		cl.comp = len(c.comps)
		if cl.mtbf == 0 {
			c.comps = append(c.comps, component{size: 1, fail: []float64{0}, repair: []float64{0}})
			continue
		}
		lambda, mu := perHour(cl.mtbf), perHour(cl.mttr)
		comp := component{size: cl.n + 1, fail: make([]float64, cl.n+1), repair: make([]float64, cl.n+1)}
		for d := 0; d <= cl.n; d++ {
			comp.fail[d] = float64(cl.n-d) * lambda
			comp.repair[d] = float64(d) * mu
		}
		c.comps = append(c.comps, comp)
	}
	c.states = 1
	for _, comp := range c.comps {
		if c.states > MaxStates/comp.size {
			return nil, fmt.Errorf("closedform: the lumped chain has more than %d states (%d classes of hosts with distinct zone, roles or rates, %d zones that fail); give interchangeable hosts the same rates, or use fewer classes",
				MaxStates, len(c.classes), len(c.comps)-len(c.classes))
		}
		c.states *= comp.size
	}
	for k := range c.comps {
		pi, err := Stationary(c.comps[k].generator())
		if err != nil {
			return nil, err
		}
		c.comps[k].pi = pi
	}
	return c, nil
}

func quoted(names []string) string {
	if len(names) == 0 {
		return "(no zones are defined)"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// status gives, for a state (one digit per component), which functions
// are up, as bits.
func (c *chain) status(digits []int) uint8 {
	voters, apis, lbs := 0, 0, 0
	direct := false
	for k := range c.classes {
		cl := &c.classes[k]
		if cl.zone >= 0 && digits[cl.zone] == 1 {
			continue
		}
		up := cl.n - digits[cl.comp]
		if cl.etcd {
			voters += up
		}
		if cl.api {
			apis += up
		}
		if cl.lb {
			lbs += up
		}
		if cl.direct && up > 0 {
			direct = true
		}
	}
	var s uint8
	if voters >= c.quorum {
		s |= 1 << fnQuorum
	}
	var endpoint bool
	switch c.balancer {
	case NoBalancer:
		endpoint = direct
	case ClientFailover, ManagedBalancer:
		endpoint = apis > 0
	default:
		endpoint = lbs > 0 && apis > 0
	}
	if endpoint {
		s |= 1 << fnEndpoint
	}
	if s&(1<<fnQuorum) != 0 && endpoint {
		s |= 1 << fnWrites
	}
	return s
}

// tally is what enumerating the chain gives for one function: the
// probability of the states where it is down (a sum of positive terms,
// so it keeps its relative precision however small), and the probability flows
// (per hour) from up to down states and from down to up states, equal in
// steady state.
type tally struct {
	down, upToDown, downToUp float64
}

func (t *tally) measure() Measure {
	u := t.down
	m := Measure{Availability: 1 - u, Unavailability: u, DowntimePerYear: time.Duration(u * float64(Year)), Nines: math.Inf(1)}
	if u > 0 {
		m.Nines = -math.Log10(u)
	}
	if t.upToDown > 0 {
		m.OutagesPerYear = t.upToDown * Year.Hours()
		m.MeanOutage = time.Duration(u / t.upToDown * float64(time.Hour))
	}
	return m
}

// measure enumerates every state of the lumped chain, with its
// probability (the product of its components') and its transitions.
func (c *chain) measure() [nFunctions]tally {
	var out [nFunctions]tally
	digits := make([]int, len(c.comps))
	for {
		p := 1.0
		for k, d := range digits {
			p *= c.comps[k].pi[d]
		}
		s := c.status(digits)
		if p > 0 {
			for f := 0; f < nFunctions; f++ {
				if s&(1<<f) == 0 {
					out[f].down += p
				}
			}
			for k, d := range digits {
				comp := &c.comps[k]
				for _, move := range [2]struct {
					to   int
					rate float64
				}{{d + 1, comp.fail[d]}, {d - 1, comp.repair[d]}} {
					if move.rate == 0 {
						continue
					}
					digits[k] = move.to
					t := c.status(digits)
					digits[k] = d
					flow := p * move.rate
					for f := 0; f < nFunctions; f++ {
						from, to := s&(1<<f) != 0, t&(1<<f) != 0
						if from && !to {
							out[f].upToDown += flow
						} else if !from && to {
							out[f].downToUp += flow
						}
					}
				}
			}
		}
		// Next state, the last component fastest.
		k := len(digits) - 1
		for ; k >= 0; k-- {
			digits[k]++
			if digits[k] < c.comps[k].size {
				break
			}
			digits[k] = 0
		}
		if k < 0 {
			return out
		}
	}
}

// generator is the component's generator matrix: a birth–death chain.
func (comp *component) generator() *mat.Dense {
	q := mat.NewDense(comp.size, comp.size, nil)
	for d := 0; d < comp.size; d++ {
		if d+1 < comp.size {
			q.Set(d, d+1, comp.fail[d])
		}
		if d > 0 {
			q.Set(d, d-1, comp.repair[d])
		}
		q.Set(d, d, -(comp.fail[d] + comp.repair[d]))
	}
	return q
}
