package report

import "hasim/model"

// hostPalette holds the colours hosts are drawn in, one per host in the
// order of the result's hosts; it avoids the green, red and orange that
// mean up, down and paused.
var hostPalette = []string{
	"#1f77b4", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#bcbd22",
	"#393b79", "#7f7f7f", "#637939", "#843c39", "#5254a3", "#6b6ecf",
}

// HostColours gives every host of a run its colour, the same in every
// lane, picture and page: the hosts in the order of model.LaneHosts, each
// the next colour of the palette (repeating after twelve).
func HostColours(r model.Result) map[string]string {
	out := map[string]string{}
	for i, h := range model.LaneHosts(r) {
		out[h] = hostPalette[i%len(hostPalette)]
	}
	return out
}

// HostOf is the host a process, member or leader named in a lane runs on,
// or "" if the run has no such process.
func HostOf(r model.Result, name string) string {
	for _, h := range r.HostList {
		for _, p := range h.Procs {
			if p == name {
				return h.Name
			}
		}
	}
	for _, m := range r.Members {
		if m.Name == name {
			return m.Host
		}
	}
	return ""
}
