package scenarios

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// Load reads one scenario document. file names it in errors ("-" for
// standard input). Every problem found is reported, each with file, line,
// column, field path and what is allowed; the error is an ErrorList.
func Load(file string, data []byte) (*Scenario, error) {
	var s Scenario
	if err := Decode(file, data, &s); err != nil {
		return nil, err
	}
	// The model checks again; anything it rejects that the spec checks
	// missed is still reported, at the spec.
	if err := s.Config().Validate(); err != nil {
		var el ErrorList
		for _, e := range splitJoined(err) {
			el = append(el, &FieldError{File: file, Path: "spec", Msg: e.Error()})
		}
		return nil, el
	}
	return &s, nil
}

func splitJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, splitJoined(e)...)
		}
		return out
	}
	return []error{err}
}

// MaxFileSize bounds a scenario document: 16 MiB, room for a 15,000-node
// cluster written out host by host many times over. Reading stops there,
// so that neither /dev/zero nor a runaway generator exhausts memory.
const MaxFileSize = 16 << 20

// LoadFile loads a scenario from a file, or from standard input if path is
// "-". It is LoadFileContext without a deadline.
func LoadFile(path string, stdin io.Reader) (*Scenario, error) {
	return LoadFileContext(context.Background(), path, stdin)
}

// LoadFileContext loads a scenario from a file, or from standard input if
// path is "-", reading at most MaxFileSize bytes. If ctx is done before
// the input is read, it returns at once an error that wraps ctx's (test it
// with errors.Is(err, context.Canceled)); the read itself may
// be left blocked (on a terminal or a pipe that never delivers) until the
// process exits.
func LoadFileContext(ctx context.Context, path string, stdin io.Reader) (*Scenario, error) {
	data, err := readInput(ctx, path, stdin)
	if err != nil {
		return nil, err
	}
	return Load(path, data)
}

// readInput reads the file at path, or stdin for "-", in a goroutine that
// ctx can abandon.
func readInput(ctx context.Context, path string, stdin io.Reader) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: not read: %w", path, err)
	}
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		r.data, r.err = readLimited(path, stdin)
		done <- r
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: reading stopped: %w", path, ctx.Err())
	}
}

// readLimited reads up to MaxFileSize bytes of path (stdin for "-") and
// fails if there are more.
func readLimited(path string, stdin io.Reader) ([]byte, error) {
	r := stdin
	name := "standard input"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r, name = f, path
	} else if r == nil {
		return nil, errors.New("-: no standard input to read")
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return nil, ErrorList{{File: path, Msg: fmt.Sprintf("larger than %d MiB: a scenario file is at most %d MiB (%d bytes)", MaxFileSize>>20, MaxFileSize>>20, MaxFileSize)}}
	}
	return data, nil
}

//go:embed library/*.yaml
var library embed.FS

// Entry is one scenario of the built-in library.
type Entry struct {
	Name        string
	Description string
	Source      []byte // the YAML document
}

// Library lists the built-in scenarios, sorted by name.
func Library() []Entry {
	files, err := fs.Glob(library, "library/*.yaml")
	if err != nil {
		panic(err)
	}
	var out []Entry
	for _, f := range files {
		data, err := library.ReadFile(f)
		if err != nil {
			panic(err)
		}
		s, err := Load("library/"+path.Base(f), data)
		if err != nil {
			panic(fmt.Sprintf("built-in scenario %s does not load: %v", f, err))
		}
		out = append(out, Entry{Name: s.Metadata.Name, Description: strings.TrimSpace(s.Metadata.Description), Source: data})
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// DefaultScenario is what `hasim run` and `make run` use without an
// argument.
const DefaultScenario = "stacked-3-master-crash"

// ErrNotFound says a name is neither a file nor a library scenario.
var ErrNotFound = errors.New("scenarios: no such scenario")

// Resolve loads NAME|FILE: an existing file (or "-" for standard input)
// first, else a library scenario of that name. It is ResolveContext
// without a deadline.
func Resolve(arg string, stdin io.Reader) (*Scenario, error) {
	return ResolveContext(context.Background(), arg, stdin)
}

// ResolveContext is Resolve, returning ctx's error at once if ctx is done
// while the input is read (see LoadFileContext).
func ResolveContext(ctx context.Context, arg string, stdin io.Reader) (*Scenario, error) {
	if arg == "-" {
		return LoadFileContext(ctx, arg, stdin)
	}
	if fileExists(arg) {
		return LoadFileContext(ctx, arg, stdin)
	}
	for _, e := range Library() {
		if e.Name == arg {
			return Load("library/"+e.Name+".yaml", e.Source)
		}
	}
	return nil, notFound(arg)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// notFound is ErrNotFound for arg, listing the built-in names.
func notFound(arg string) error {
	var names []string
	for _, e := range Library() {
		names = append(names, e.Name)
	}
	return fmt.Errorf("%w: %q is neither a file nor a built-in scenario (built-in: %s)", ErrNotFound, arg, strings.Join(names, ", "))
}
