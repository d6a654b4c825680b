package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// WriteYAML writes the document as YAML with the same fields, in the same
// order, as the JSON form.
func WriteYAML(w io.Writer, d Document) error { return writeYAML(w, d) }

// WriteComparisonYAML writes the comparison as YAML with the same fields,
// in the same order, as its JSON form.
func WriteComparisonYAML(w io.Writer, c Comparison) error { return writeYAML(w, c) }

// writeYAML writes v's JSON form as YAML.
func writeYAML(w io.Writer, v any) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return err
	}
	// JSON is YAML: decoding it into a node keeps the key order.
	var node yaml.Node
	if err := yaml.Unmarshal(buf.Bytes(), &node); err != nil {
		return err
	}
	blockStyle(&node)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&node); err != nil {
		return err
	}
	return enc.Close()
}

// csvHeader is the header row of the timeline in CSV.
var csvHeader = []string{"t", "event", "member", "host", "process", "probe", "group", "fault", "kind", "target", "term", "leader", "peer", "index", "reason"}

// WriteCSV writes the timeline, one event per row, with a header row.
func WriteCSV(w io.Writer, d Document) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	num := func(n uint64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatUint(n, 10)
	}
	for _, e := range d.Timeline {
		fault := ""
		if e.Fault != 0 {
			fault = strconv.Itoa(e.Fault)
		}
		row := []string{strconv.FormatFloat(e.T, 'f', 6, 64), e.Event, e.Member, e.Host, e.Proc, e.Probe, e.Group, fault,
			e.Kind, e.Target, num(e.Term), e.Leader, e.Peer, num(e.Index), e.Reason}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// blockStyle clears the flow and quoting styles that the JSON text gave
// every node, so that the encoder writes block YAML and quotes only what
// needs quoting.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// WriteComparisonCSV writes the comparison, one scenario a row, with a
// header row. Each figure has four columns, named after its JSON field:
// the value and the interval's bounds and confidence (see Estimate), in
// seconds, fractions or counts; a figure not given for a scenario (one per
// year of a scripted scenario) is empty.
func WriteComparisonCSV(w io.Writer, c Comparison) error {
	cw := csv.NewWriter(w)
	fs := figures(c)
	header := []string{"scenario", "hosts", "runs", "failedRuns", "ratesDefined"}
	for _, f := range fs {
		header = append(header, f.key, f.key+"Lo", f.key+"Hi", f.key+"Confidence")
	}
	header = append(header, "faultsWithoutRecovery", "invariantViolations")
	num := func(x float64) string {
		if math.IsNaN(x) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	annualHeader, annualRows := annualCSV(c, num)
	if err := cw.Write(append(header, annualHeader...)); err != nil {
		return err
	}
	for i := range c.Scenarios {
		s := &c.Scenarios[i]
		row := []string{s.Scenario, strconv.Itoa(s.Hosts), strconv.Itoa(s.Runs), strconv.Itoa(s.FailedRuns), strconv.FormatBool(s.RatesDefined)}
		for _, f := range fs {
			e := f.get(s)
			if e == nil || e.N == 0 {
				row = append(row, "", "", "", "")
				continue
			}
			row = append(row, num(e.Value), num(e.Lo), num(e.Hi), num(e.Confidence))
		}
		row = append(row, strconv.Itoa(s.NoRecovery), strconv.Itoa(s.InvariantBreakages))
		if err := cw.Write(append(row, annualRows[i]...)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
