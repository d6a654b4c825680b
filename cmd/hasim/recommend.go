package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"hasim/report"
)

func recommendVerb(ctx context.Context, args []string, st streams) int {
	fs := newFlags("recommend", "[flags] RESULTS-FILE", `  hasim recommend lease-renew-paused-leader.runs.jsonl --target 'failover.kube-controller-manager.p99 <= 20s'
  hasim recommend study.runs.jsonl --target 'availability.api-writes.mean >= 99%' --objective downtime.api-writes.p99 --objective writeRecovery
`, st)
	targets := fs.StringArray("target", nil, "a requirement, METRIC[.mean|.median|.p90|.p99] OP VALUE (OP <=, <, >=, >; VALUE a duration, number or percentage); repeatable")
	objectives := fs.StringArray("objective", nil, "a figure to minimize, METRIC[.STAT] (repeatable); default: the controllers' failover p99, their acting split brain and their lease writes per second")
	output := fs.StringP("output", "o", "table", "table or json")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(st.err, "hasim recommend: want one results file of hasim sweep (or of hasim sweep merge)")
		return exitUsage
	}
	if *output != "table" && *output != "json" {
		fmt.Fprintf(st.err, "hasim recommend: --output %q: allowed table, json\n", *output)
		return exitUsage
	}
	var ts []report.Target
	for _, s := range *targets {
		t, err := report.ParseTarget(s)
		if err != nil {
			fmt.Fprintf(st.err, "hasim recommend: %v\n", err)
			return exitUsage
		}
		ts = append(ts, t)
	}
	agg, err := report.AggregateResults(fs.Arg(0), true)
	if err != nil {
		fmt.Fprintf(st.err, "hasim recommend: %v\n", err)
		return exitUsage
	}
	names := map[string]bool{}
	var order []string
	for _, p := range agg.Points {
		for _, m := range p.Metrics {
			if !names[m.Metric] {
				names[m.Metric] = true
				order = append(order, m.Metric)
			}
		}
	}
	var obs []report.Figure
	for _, o := range *objectives {
		obs = append(obs, report.ParseFigure(o))
	}
	if len(obs) == 0 {
		obs = defaultObjectives(order)
	}
	for _, f := range append(slices.Clone(obs), figuresOf(ts)...) {
		if !names[f.Metric] {
			fmt.Fprintf(st.err, "hasim recommend: the sweep's figures have no metric %q (they have: %s); a sweep aggregates its spec.metrics, or --metric\n", f.Metric, strings.Join(order, ", "))
			return exitUsage
		}
	}
	if len(obs) == 0 {
		fmt.Fprintln(st.err, "hasim recommend: no objective: give --objective METRIC[.STAT]")
		return exitUsage
	}
	if agg.Finished < agg.Runs {
		fmt.Fprintf(st.err, "hasim recommend: note: %d of %d runs finished; the figures cover those\n", agg.Finished, agg.Runs)
	}
	r := report.Recommend(agg, ts, obs)
	if *output == "json" {
		err = report.WriteRecommendationJSON(st.out, r)
	} else {
		err = report.WriteRecommendation(st.out, r)
	}
	if err != nil && st.out.Err == nil {
		fmt.Fprintf(st.err, "hasim recommend: %v\n", err)
		return exitFailure
	}
	return exitOK
}

func figuresOf(ts []report.Target) []report.Figure {
	var out []report.Figure
	for _, t := range ts {
		out = append(out, t.Figure)
	}
	return out
}

// defaultObjectives are the failover p99 of the first controller group
// (etcd if there is none), its acting split brain and its lease writes
// per second (the load its renewals put on the apiservers); without
// failovers, the first two metrics' means.
func defaultObjectives(metrics []string) []report.Figure {
	group := ""
	for _, m := range metrics {
		if g, ok := strings.CutPrefix(m, "failover."); ok && (group == "" || group == "etcd") {
			group = g
		}
	}
	if group != "" {
		obs := []report.Figure{{Metric: "failover." + group, Stat: "p99"}}
		for _, m := range metrics {
			if m == "actingSplitBrain."+group || m == "leaseWrites."+group {
				obs = append(obs, report.Figure{Metric: m, Stat: "mean"})
			}
		}
		return obs
	}
	var obs []report.Figure
	for _, m := range metrics[:min(2, len(metrics))] {
		obs = append(obs, report.Figure{Metric: m, Stat: "mean"})
	}
	return obs
}
