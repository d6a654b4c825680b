package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// WriteYAML writes the document as YAML with the same fields, in the same
// order, as the JSON form.
func WriteYAML(w io.Writer, d Document) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(d); err != nil {
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
