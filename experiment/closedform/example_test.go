package closedform_test

import (
	"fmt"
	"time"

	"hasim/experiment/closedform"
)

// A stacked control plane of three masters in three zones behind one
// HAProxy host, each host failing about once a year and repaired in an
// hour, each zone out about once every five years for four hours.
func ExampleSolve() {
	year := closedform.Year
	host := closedform.Rates{MTBF: year, MTTR: time.Hour}
	zone := closedform.Rates{MTBF: 5 * year, MTTR: 4 * time.Hour}
	topo := closedform.Topology{
		Zones: []closedform.Zone{{Name: "a", Rates: zone}, {Name: "b", Rates: zone}, {Name: "c", Rates: zone}},
		Hosts: []closedform.Host{
			{Name: "master-1", Zone: "a", Etcd: true, APIServer: true, Rates: host},
			{Name: "master-2", Zone: "b", Etcd: true, APIServer: true, Rates: host},
			{Name: "master-3", Zone: "c", Etcd: true, APIServer: true, Rates: host},
			{Name: "lb", Zone: "a", LB: true, Rates: host},
		},
		Balancer: closedform.SingleBalancer,
	}
	res, err := closedform.Solve(topo)
	if err != nil {
		panic(err)
	}
	for _, f := range []struct {
		name string
		m    closedform.Measure
	}{{"quorum", res.Quorum}, {"endpoint", res.Endpoint}, {"writes", res.Writes}} {
		fmt.Printf("%-8s %.6f%%  %5.2f nines  %8v/yr  %.3f outages/yr of %v\n", f.name, 100*f.m.Availability, f.m.Nines,
			f.m.DowntimePerYear.Round(time.Second), f.m.OutagesPerYear, f.m.MeanOutage.Round(time.Second))
	}
	fmt.Println(res.States, "states;", res.Assumptions)
	// Output:
	// quorum   99.999987%   6.90 nines        4s/yr  0.001 outages/yr of 45m0s
	// endpoint 99.979469%   3.69 nines  1h47m59s/yr  1.200 outages/yr of 1h30m0s
	// writes   99.979460%   3.69 nines   1h48m2s/yr  1.201 outages/yr of 1h29m57s
	// 128 states; instant failover, independent exponential failures and repairs, repair of each host independent (unlimited repair crews), zone outage stops every host in the zone
}
