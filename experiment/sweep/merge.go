package sweep

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
)

// ReadHeader reads a results file's header line.
func ReadHeader(br *bufio.Reader, path string) (Header, error) {
	line, err := br.ReadBytes('\n')
	var h Header
	if err != nil || json.Unmarshal(line, &h) != nil || h.Definition == "" {
		return h, fmt.Errorf("%s: the first line is not a hasim sweep header", path)
	}
	return h, nil
}

// ReadResults reads a complete results file, calling header with its
// header and then fn with each record in order. It fails if the file does
// not hold every run of its sweep (or shard) exactly once: an interrupted
// sweep's file is read with partial set, and then covers what finished.
// The record's Values and Metrics are reused for the next one: fn must
// not keep them (their strings it may keep).
func ReadResults(path string, partial bool, fn func(Record) error, header func(Header)) (Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return Header{}, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	h, err := ReadHeader(br, path)
	if err != nil {
		return h, err
	}
	if header != nil {
		header(h)
	}
	n, last := 0, -1
	var rec Record
	for {
		line, err := br.ReadBytes('\n')
		if err == io.EOF && len(line) == 0 {
			break
		}
		if err != nil {
			if partial {
				break // a line cut off by a crash
			}
			return h, fmt.Errorf("%s: line %d is cut off", path, n+2)
		}
		rec = Record{Values: rec.Values[:0], Metrics: rec.Metrics[:0]} // reused: see fn
		if err := json.Unmarshal(line, &rec); err != nil {
			return h, fmt.Errorf("%s: line %d is not a run record: %v", path, n+2, err)
		}
		if rec.Run <= last || rec.Run >= h.Runs {
			return h, fmt.Errorf("%s: line %d holds run %d out of order", path, n+2, rec.Run)
		}
		last = rec.Run
		n++
		if err := fn(rec); err != nil {
			return h, err
		}
	}
	if h.Shard == "" && n != h.Runs && !partial {
		return h, fmt.Errorf("%s: holds %d of the sweep's %d runs: finish it with hasim sweep --resume", path, n, h.Runs)
	}
	return h, nil
}

// Merge writes to w the results files of a sharded sweep's shards as the
// results file of the whole sweep: byte for byte what one unsharded run
// writes. It checks that every file belongs to the same sweep and hasim
// version, that each shard is there once, and that every run is there
// exactly once. It streams: memory does not grow with the runs.
func Merge(w io.Writer, paths []string) error {
	type src struct {
		path string
		f    *os.File
		br   *bufio.Reader
		h    Header
		line []byte
		run  int
		n    int
	}
	var srcs []*src
	defer func() {
		for _, s := range srcs {
			s.f.Close()
		}
	}()
	advance := func(s *src) error {
		line, err := s.br.ReadBytes('\n')
		if err == io.EOF && len(line) == 0 {
			s.line, s.run = nil, -1
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: line %d is cut off: finish the shard (hasim sweep --resume)", s.path, s.n+2)
		}
		var rec struct {
			Run *int `json:"run"`
		}
		if json.Unmarshal(line, &rec) != nil || rec.Run == nil {
			return fmt.Errorf("%s: line %d is not a run record", s.path, s.n+2)
		}
		if s.line != nil && *rec.Run <= s.run {
			return fmt.Errorf("%s: line %d holds run %d out of order", s.path, s.n+2, *rec.Run)
		}
		s.line, s.run = line, *rec.Run
		s.n++
		return nil
	}
	shards := map[string]string{}
	var first Header
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		s := &src{path: p, f: f, br: bufio.NewReaderSize(f, 1<<16)}
		srcs = append(srcs, s)
		if s.h, err = ReadHeader(s.br, p); err != nil {
			return err
		}
		if i == 0 {
			first = s.h
		} else if s.h.Definition != first.Definition || s.h.Hasim != first.Hasim {
			return fmt.Errorf("%s and %s belong to different sweeps (%s %s, hasim %s; %s %s, hasim %s)", paths[0], p,
				first.Sweep, first.Definition, first.Hasim, s.h.Sweep, s.h.Definition, s.h.Hasim)
		}
		if s.h.Shard == "" {
			return fmt.Errorf("%s is the results of a whole sweep, not a shard", p)
		}
		if other, dup := shards[s.h.Shard]; dup {
			return fmt.Errorf("%s and %s both hold shard %s", other, p, s.h.Shard)
		}
		shards[s.h.Shard] = p
		if err := advance(s); err != nil {
			return err
		}
	}
	if len(srcs) == 0 {
		return fmt.Errorf("no shard files to merge")
	}
	var n int
	if _, err := fmt.Sscanf(first.Shard, "%d/%d", new(int), &n); err != nil || n != len(paths) {
		var missing []string
		for i := range n {
			if _, ok := shards[fmt.Sprintf("%d/%d", i, n)]; !ok {
				missing = append(missing, strconv.Itoa(i))
			}
		}
		return fmt.Errorf("the sweep has %d shards, %d given; missing shards: %v", n, len(paths), missing)
	}
	h := first
	h.Shard = ""
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.Write(marshalLine(h))
	for k := range h.Runs {
		var from *src
		for _, s := range srcs {
			if s.line != nil && s.run == k {
				if from != nil {
					return fmt.Errorf("run %d is in both %s and %s", k, from.path, s.path)
				}
				from = s
			}
		}
		if from == nil {
			return fmt.Errorf("run %d is in no shard: a shard is unfinished (resume it with hasim sweep --resume --shard I/N)", k)
		}
		bw.Write(from.line)
		if err := advance(from); err != nil {
			return err
		}
	}
	for _, s := range srcs {
		if s.line != nil {
			return fmt.Errorf("%s: run %d is beyond the sweep's %d runs", s.path, s.run, h.Runs)
		}
	}
	return bw.Flush()
}
