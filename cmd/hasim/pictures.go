package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"gonum.org/v1/plot"

	"hasim/report/picture"
)

// pictureFile is a picture the command line asked for (--svg, --png).
type pictureFile struct {
	flag, path, format string
	f                  *os.File
}

// pictures are the pictures a verb draws.
type pictures []*pictureFile

// pictureFlags checks the picture flags, given as flag name and path
// pairs; an empty path asks for nothing.
func pictureFlags(pairs ...string) (pictures, error) {
	var ps pictures
	for i := 0; i+1 < len(pairs); i += 2 {
		flag, path := pairs[i], pairs[i+1]
		if path == "" {
			continue
		}
		format, err := picture.Format(path)
		if err != nil {
			return nil, fmt.Errorf("--%s: %v", flag, err)
		}
		ps = append(ps, &pictureFile{flag: flag, path: path, format: format})
	}
	return ps, nil
}

// create creates the pictures' files, before the computation whose
// result they will show, so that a path that cannot be written fails
// before the work is done. On failure it removes what it created and
// reports every path that failed.
func (ps pictures) create() error {
	var errs []error
	for _, p := range ps {
		f, err := os.Create(p.path)
		if err != nil {
			errs = append(errs, fmt.Errorf("--%s: cannot write the picture: %v", p.flag, err))
			continue
		}
		p.f = f
	}
	if len(errs) > 0 {
		ps.discard()
		return errors.Join(errs...)
	}
	return nil
}

// discard closes and removes the files create made and nothing was drawn
// into.
func (ps pictures) discard() {
	for _, p := range ps {
		if p.f != nil {
			p.f.Close()
			os.Remove(p.path)
			p.f = nil
		}
	}
}

// draw renders the plot that render returns into every picture's file. An
// interrupt that comes before a picture is drawn skips it (skipped is
// then true), unless the results were already cut short by one
// (interrupted), when the pictures show what there is. It returns every
// failure; a failed picture's file is removed.
func (ps pictures) draw(ctx context.Context, interrupted bool, render func() (*plot.Plot, int)) (skipped bool, errs []error) {
	if len(ps) == 0 {
		return false, nil
	}
	var p *plot.Plot
	var lanes int
	for _, pic := range ps {
		if pic.f == nil {
			continue
		}
		if !interrupted && ctx.Err() != nil {
			skipped = true
			continue
		}
		if p == nil {
			p, lanes = render()
		}
		err := picture.WriteTo(p, pic.f, pic.format, lanes)
		if cerr := pic.f.Close(); err == nil {
			err = cerr
		}
		pic.f = nil
		if err != nil {
			os.Remove(pic.path)
			errs = append(errs, fmt.Errorf("--%s: drawing the picture to %s: %v", pic.flag, pic.path, err))
		}
	}
	ps.discard() // the skipped ones
	return skipped, errs
}
