package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// pageFile is the interactive page run writes (--html).
type pageFile struct {
	path string
	f    *os.File
}

// checkPagePath refuses a path that does not name an .html or .htm file.
func checkPagePath(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".html", ".htm":
		return nil
	}
	return fmt.Errorf("--html %s: want an .html file", path)
}

// create creates the page's file before the run, so that a path that
// cannot be written fails before the work is done.
func (p *pageFile) create() error {
	if p == nil {
		return nil
	}
	f, err := os.Create(p.path)
	if err != nil {
		return fmt.Errorf("--html: cannot write the page: %v", err)
	}
	p.f = f
	return nil
}

// discard closes and removes the page's file if nothing was written.
func (p *pageFile) discard() {
	if p != nil && p.f != nil {
		p.f.Close()
		os.Remove(p.path)
		p.f = nil
	}
}

// write renders the page into its file; on failure the file is removed.
func (p *pageFile) write(render func(io.Writer) error) error {
	if p == nil || p.f == nil {
		return nil
	}
	bw := bufio.NewWriter(p.f)
	err := render(bw)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	p.f = nil
	if err != nil {
		os.Remove(p.path)
		return fmt.Errorf("--html: writing the page to %s: %v", p.path, err)
	}
	return nil
}
