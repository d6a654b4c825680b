package sweep

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"hasim/experiment"
	"hasim/model"
	"hasim/sim"
)

// Shard is shard I of N (I from 0); N 0 or 1 is the whole sweep.
type Shard struct{ I, N int }

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.I, s.N) }

// ParseShard reads "I/N".
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("--shard %q: want I/N with 0 <= I < N, such as 0/4", s)
	}
	return Shard{i, n}, nil
}

// Tasks lists the run numbers of shard sh, in order (see TaskSeq).
func (p *Plan) Tasks(sh Shard) []int {
	return slices.Collect(p.TaskSeq(sh))
}

// TaskCount is how many runs shard sh has.
func (p *Plan) TaskCount(sh Shard) int {
	n := 0
	for range p.TaskSeq(sh) {
		n++
	}
	return n
}

// TaskSeq yields the run numbers of shard sh, in order, holding nothing
// per run: memory does not grow with the runs. The runs are dealt in
// order, each to the shard with the least expected cost so far (the
// lowest-numbered on a tie), so that shards take about as long as each
// other even when points differ in horizon or size.
func (p *Plan) TaskSeq(sh Shard) iter.Seq[int] {
	return func(yield func(int) bool) {
		n := p.Runs()
		if sh.N <= 1 {
			for k := range n {
				if !yield(k) {
					return
				}
			}
			return
		}
		load := make([]float64, sh.N)
		for k := range n {
			pt, _ := p.Task(k)
			best := 0
			for j := 1; j < sh.N; j++ {
				if load[j] < load[best] {
					best = j
				}
			}
			load[best] += p.Points[pt].Cost
			if best == sh.I && !yield(k) {
				return
			}
		}
	}
}

// Record is one run's line in a results file.
type Record struct {
	Run   int    `json:"run"`
	Point int    `json:"point"`
	Seed  uint64 `json:"seed"`
	// Values are the point's axis values, by axis name.
	Values Fields `json:"values"`
	// Metrics are what the run measured (null: not defined in this run,
	// such as a failover where no fault moved the lease).
	Metrics Fields `json:"metrics"`
	// Failure is set for a run that failed (a bug in hasim): a panic, a
	// livelock or a cluster that would not build.
	Failure string `json:"failure,omitempty"`
}

// Field is a named value of a record; Value is a string, a float64, or
// nil (null).
type Field struct {
	Name  string
	Value any
}

// Fields is a JSON object whose keys keep their order.
type Fields []Field

// MarshalJSON writes the fields in order; a non-finite number is null.
func (f Fields) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, x := range f {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(x.Name)
		b.Write(k)
		b.WriteByte(':')
		switch v := x.Value.(type) {
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				b.WriteString("null")
			} else {
				b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
			}
		case nil:
			b.WriteString("null")
		default:
			j, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			b.Write(j)
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads an object in order: numbers as float64, strings,
// null as nil. It scans the flat object itself: an aggregation reads a
// record per run, and json's Decoder, made afresh for each, cost more
// than the rest of the reading.
func (f *Fields) UnmarshalJSON(data []byte) error {
	sc := flatScanner{b: data}
	if !sc.punct('{') {
		return errors.New("want an object")
	}
	// Decoding into fields already there reuses their array, and their
	// names where they are the same (records of a sweep all have the
	// same): a reader of many records allocates little.
	prev := (*f)[:cap(*f)]
	*f = (*f)[:0]
	if sc.punct('}') {
		return sc.end()
	}
	for {
		var name string
		raw, escaped, ok := sc.raw()
		switch i := len(*f); {
		case ok && !escaped && i < len(prev) && prev[i].Name == string(raw[1:len(raw)-1]):
			name = prev[i].Name
		case ok:
			name, ok = unquote(raw, escaped)
		}
		if !ok || !sc.punct(':') {
			return errors.New("want a field name and a colon")
		}
		v, err := sc.value()
		if err != nil {
			return fmt.Errorf("field %q: %v", name, err)
		}
		*f = append(*f, Field{name, v})
		if sc.punct('}') {
			return sc.end()
		}
		if !sc.punct(',') {
			return fmt.Errorf("after field %q: want a comma or the end of the object", name)
		}
	}
}

// flatScanner reads a JSON object whose values are numbers, strings or
// null.
type flatScanner struct {
	b []byte
	i int
}

func (s *flatScanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// punct takes c after spaces, if it is next.
func (s *flatScanner) punct(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *flatScanner) end() error {
	s.space()
	if s.i != len(s.b) {
		return errors.New("want nothing after the object")
	}
	return nil
}

// raw reads a string as written, quotes included, and whether it has
// escapes.
func (s *flatScanner) raw() (raw []byte, escaped, ok bool) {
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false, false
	}
	start := s.i
	for s.i++; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '\\':
			escaped = true
			s.i++
		case c < 0x20:
			return nil, false, false
		case c == '"':
			s.i++
			return s.b[start:s.i], escaped, true
		}
	}
	return nil, false, false
}

// unquote is the string raw (quotes included) writes; one with escapes is
// decoded by encoding/json.
func unquote(raw []byte, escaped bool) (string, bool) {
	if !escaped {
		return string(raw[1 : len(raw)-1]), true
	}
	var out string
	if json.Unmarshal(raw, &out) != nil {
		return "", false
	}
	return out, true
}

// str reads a string.
func (s *flatScanner) str() (string, bool) {
	raw, escaped, ok := s.raw()
	if !ok {
		return "", false
	}
	return unquote(raw, escaped)
}

// value reads a number (as float64), a string or null (as nil).
func (s *flatScanner) value() (any, error) {
	s.space()
	if s.i >= len(s.b) {
		return nil, errors.New("want a value")
	}
	switch c := s.b[s.i]; {
	case c == '"':
		if v, ok := s.str(); ok {
			return v, nil
		}
		return nil, errors.New("a malformed string")
	case c == 'n':
		if bytes.HasPrefix(s.b[s.i:], []byte("null")) {
			s.i += len("null")
			return nil, nil
		}
	case c == '-' || c >= '0' && c <= '9':
		start := s.i
		for s.i < len(s.b) && strings.IndexByte("0123456789+-.eE", s.b[s.i]) >= 0 {
			s.i++
		}
		num := s.b[start:s.i]
		if !json.Valid(num) {
			return nil, fmt.Errorf("%q is not a JSON number", num)
		}
		return strconv.ParseFloat(string(num), 64)
	}
	return nil, errors.New("want a number, a string or null")
}

// Metrics measures a run. Times are in seconds. Per leader group G:
// failover.G (the mean over incidents of the time from the incident to
// the group's next lease acquisition, where there was one), noLeader.G
// (the time with no acting leader), splitBrain.G.count, .total and
// .longest, actingSplitBrain.G; for a lease group, leaseRequests.G and
// leaseWrites.G (the API requests, and the writes alone, its electors
// made per second of the run: leader election's load on the apiservers); per probe P: availability.P and
// downtime.P; writeRecovery (the mean time from an incident until writes
// stop failing), incidents; with failure processes, downtimePerYear.F for
// every function F.
func Metrics(r model.Result, ratesDefined bool) Fields {
	out := make(Fields, 0, 4+8*len(r.Groups)+2*len(r.Probes)+len(r.Functions))
	add := func(name string, v any) { out = append(out, Field{name, v}) }
	incidents := experiment.Incidents(r)
	for gi, g := range r.Groups {
		var sum float64
		n := 0
		for _, f := range incidents {
			if gi < len(f.GroupFailover) && f.GroupFailover[gi] >= 0 {
				sum += f.GroupFailover[gi].Seconds()
				n++
			}
		}
		if n > 0 {
			add("failover."+g.Name, sum/float64(n))
		} else {
			add("failover."+g.Name, nil)
		}
	}
	for _, g := range r.Groups {
		add("noLeader."+g.Name, g.NoLeader.Seconds())
	}
	if secs := r.EndSeconds(); secs > 0 {
		for _, g := range r.Groups[1:] { // leader election's, not etcd's
			add("leaseRequests."+g.Name, g.LeaseRequests/secs)
			add("leaseWrites."+g.Name, g.LeaseWrites/secs)
		}
	}
	for _, s := range model.SplitBrainTotals(r.Groups) {
		add("splitBrain."+s.Group+".count", float64(s.Count))
		add("splitBrain."+s.Group+".total", s.Total.Seconds())
		add("splitBrain."+s.Group+".longest", s.Longest.Seconds())
		add("actingSplitBrain."+s.Group, s.ActingTotal.Seconds())
	}
	for _, p := range r.Probes {
		add("availability."+p.Name, p.Availability)
		add("downtime."+p.Name, p.Unavailable.Seconds())
	}
	m := experiment.Measure(r)
	if n := m.Recovery.Len(); n > 0 {
		add("writeRecovery", m.Recovery.Sum()/float64(n))
	} else {
		add("writeRecovery", nil)
	}
	add("incidents", float64(m.Incidents))
	if ratesDefined && r.Steady {
		span := r.MeasuredSeconds()
		for _, f := range r.Functions {
			if span > 0 {
				add("downtimePerYear."+f.Name, f.Down.Seconds()/span*model.Year.Seconds())
			}
		}
	}
	return out
}

// runOne runs point pt of the plan with seed, recovering a panic.
func (p *Plan) runOne(k int, rc *model.Recycler) (rec Record) {
	pt, si := p.Task(k)
	seed := p.Seeds.At(si)
	rec = Record{Run: k, Point: pt, Seed: seed}
	for i, a := range p.Axes {
		rec.Values = append(rec.Values, Field{a, p.Points[pt].Values[i]})
	}
	defer func() {
		if r := recover(); r != nil {
			rec.Metrics = nil
			rec.Failure = fmt.Sprintf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	cfg := p.Points[pt].Scenario.Config()
	cfg.Seed = seed
	cfg.SkipRenewals = true
	r, err := model.Simulate(cfg, model.RunOptions{FiguresOnly: true, Recycler: rc})
	if err != nil {
		rec.Failure = "the cluster would not build: " + err.Error()
		return rec
	}
	if r.Outcome == sim.Livelocked {
		rec.Failure = "the run livelocked: " + r.Stall.String()
		return rec
	}
	rec.Metrics = Metrics(r, len(cfg.Failures) > 0)
	if len(r.Violations) > 0 {
		rec.Failure = fmt.Sprintf("%d safety invariants broke", len(r.Violations))
	}
	return rec
}

// Reproduce is the command line that reproduces run rec.
func (p *Plan) Reproduce(rec Record) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hasim run %s --seed %d", shellQuote(p.BaseName), rec.Seed)
	for _, o := range slices.Concat(p.Set, p.Points[rec.Point].Overrides) {
		b.WriteString(" --set " + shellQuote(o.Path+"="+o.Value))
	}
	return b.String()
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Results is an open results file.
type Results struct {
	f      *os.File
	Header Header
	// Done is how many of the shard's runs the file holds.
	Done int
	// Failed lists the failed runs written so far, resumed ones included.
	Failed []Record
}

// ErrExists: the results file is there and --resume was not asked.
var ErrExists = errors.New("the results file exists")

// Open opens path for the plan's shard sh. A new file gets the header.
// With resume, an existing file must have been written by the same
// definition and hasim version (and shard): its complete runs are kept,
// a partly written last line is cut off, and the sweep goes on after
// them. Without resume an existing non-empty file is refused.
func (p *Plan) Open(path, version string, sh Shard, resume bool) (*Results, error) {
	want := p.HeaderOf(version, sh)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	res := &Results{f: f, Header: want}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.Size() == 0 {
		if _, err := f.Write(marshalLine(want)); err != nil {
			f.Close()
			return nil, err
		}
		return res, f.Sync()
	}
	if !resume {
		f.Close()
		return nil, fmt.Errorf("%s: %w: continue it with --resume, or write to another file (--results)", path, ErrExists)
	}
	next, stopTasks := iter.Pull(p.TaskSeq(sh))
	good, done, failed, err := scan(f, path, want, next)
	stopTasks()
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	res.Done, res.Failed = done, failed
	return res, nil
}

// scan checks a results file's header against want and its records
// against the tasks in order; it returns the length of the good part,
// the records in it and the failed ones.
func scan(r io.Reader, path string, want Header, nextTask func() (int, bool)) (good int64, done int, failed []Record, err error) {
	br := bufio.NewReaderSize(r, 1<<16)
	line, err := br.ReadBytes('\n')
	if err != nil {
		return 0, 0, nil, fmt.Errorf("%s: no complete header line: not a results file of hasim sweep", path)
	}
	var h Header
	if json.Unmarshal(line, &h) != nil || h.Definition == "" {
		return 0, 0, nil, fmt.Errorf("%s: the first line is not a hasim sweep header", path)
	}
	if err := sameSweep(h, want); err != nil {
		return 0, 0, nil, fmt.Errorf("%s: %v", path, err)
	}
	good = int64(len(line))
	for {
		line, err := br.ReadBytes('\n')
		if err != nil { // the end, or a last line cut off: run it again
			return good, done, failed, nil
		}
		var rec Record
		if json.Unmarshal(line, &rec) != nil {
			return 0, 0, nil, fmt.Errorf("%s: line %d is not a run record", path, done+2)
		}
		if k, ok := nextTask(); !ok || rec.Run != k {
			where := "no run (the shard has no more)"
			if ok {
				where = "run " + strconv.Itoa(k)
			}
			return 0, 0, nil, fmt.Errorf("%s: line %d holds run %d where %s belongs", path, done+2, rec.Run, where)
		}
		if rec.Failure != "" {
			failed = append(failed, rec)
		}
		done++
		good += int64(len(line))
	}
}

// sameSweep says how header h differs from want, if it does.
func sameSweep(h, want Header) error {
	switch {
	case h.Definition != want.Definition:
		return fmt.Errorf("written by another sweep definition (%s %s, this is %s %s): its runs do not belong to this sweep", h.Sweep, h.Definition, want.Sweep, want.Definition)
	case h.Hasim != want.Hasim:
		return fmt.Errorf("written by hasim %s, this is hasim %s: runs of different versions do not mix", h.Hasim, want.Hasim)
	case h.Shard != want.Shard:
		return fmt.Errorf("holds shard %q, this is %q", orWhole(h.Shard), orWhole(want.Shard))
	}
	return nil
}

func orWhole(s string) string {
	if s == "" {
		return "the whole sweep"
	}
	return s
}

// Close closes the file.
func (r *Results) Close() error { return r.f.Close() }

// RunOptions tune Run.
type RunOptions struct {
	Workers int // default GOMAXPROCS
	// Written is called after each record is written and synced, with
	// it, from one goroutine. The record passed carries the run, point,
	// seed and failure; its values and metrics, already written, are
	// left out.
	Written func(Record)
}

// groupCommit is the longest a written run waits for its sync.
const groupCommit = 20 * time.Millisecond

// Run runs the shard's runs that the results file does not hold yet, on
// workers goroutines, and appends the records in the shard's order: every
// groupCommit, those done with every one before them are written and the
// file synced, and only then do they count as written. Once ctx is
// cancelled no run starts; the runs in flight finish and are written, so
// the file holds a prefix of the shard's runs and a resume continues it
// exactly. It returns the error of a write.
func (p *Plan) Run(ctx context.Context, res *Results, sh Shard, opts RunOptions) error {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, stop := context.WithCancel(ctx) // a write error stops the feeding too
	defer stop()
	type task struct{ i, run int } // i: position in the shard's order
	// A worker marshals its record itself: the writer, one goroutine
	// beside the workers, only orders the lines and writes them, and a
	// line waiting for its turn holds its bytes, not the record's boxed
	// values.
	type done struct {
		i    int
		rec  Record // without values and metrics
		line []byte
	}
	feed := make(chan task)
	results := make(chan done, 4*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var rc model.Recycler // this worker's runs reuse their arrays
			for t := range feed {
				rec := p.runOne(t.run, &rc)
				line := marshalLine(rec)
				rec.Values, rec.Metrics = nil, nil
				results <- done{t.i, rec, line}
			}
		}()
	}
	start := res.Done
	go func() {
		i := 0
		for k := range p.TaskSeq(sh) {
			if i < start {
				i++
				continue
			}
			if ctx.Err() != nil {
				break
			}
			select {
			case feed <- task{i, k}:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				break
			}
			i++
		}
		close(feed)
		wg.Wait()
		close(results)
	}()
	pending := map[int]done{}
	next := start
	var werr error
	var unsynced []Record // in order, not yet written
	var buf []byte        // their lines
	// commit writes and syncs what is in order, and only then counts it.
	commit := func() {
		if werr != nil || len(unsynced) == 0 {
			return
		}
		_, err := res.f.Write(buf)
		if err == nil {
			err = res.f.Sync()
		}
		buf = buf[:0]
		if err != nil {
			werr = err
			unsynced = unsynced[:0]
			stop()
			return
		}
		for _, rec := range unsynced {
			res.Done++
			if rec.Failure != "" {
				res.Failed = append(res.Failed, rec)
			}
			if opts.Written != nil {
				opts.Written(rec)
			}
		}
		unsynced = unsynced[:0]
	}
	// A sync waits on the disk, and the writer's goroutine holds one of
	// the scheduler's processors meanwhile, which a worker then lacks:
	// on a 2-core machine, syncing after every short run cost a fifth of
	// the sweep's throughput. So the runs finished in a window of
	// groupCommit (or to the end) are written and synced together: a run
	// still counts only once it is on disk, and a crash loses no more
	// than the runs of that window, which a resume runs again, to the
	// same bytes.
	tick := time.NewTicker(groupCommit)
	defer tick.Stop()
	for results != nil {
		select {
		case d, ok := <-results:
			if !ok {
				results = nil
				break
			}
			pending[d.i] = d
			for {
				d, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				if werr == nil {
					unsynced = append(unsynced, d.rec)
					buf = append(buf, d.line...)
				}
			}
		case <-tick.C:
			commit()
		}
	}
	commit()
	return werr
}
