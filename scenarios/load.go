package scenarios

import (
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

// LoadFile loads a scenario from a file, or from standard input if path is
// "-".
func LoadFile(path string, stdin io.Reader) (*Scenario, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	return Load(path, data)
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
// first, else a library scenario of that name.
func Resolve(arg string, stdin io.Reader) (*Scenario, error) {
	if arg == "-" {
		return LoadFile(arg, stdin)
	}
	if _, err := os.Stat(arg); err == nil {
		return LoadFile(arg, stdin)
	}
	for _, e := range Library() {
		if e.Name == arg {
			return Load("library/"+e.Name+".yaml", e.Source)
		}
	}
	var names []string
	for _, e := range Library() {
		names = append(names, e.Name)
	}
	return nil, fmt.Errorf("%w: %q is neither a file nor a built-in scenario (built-in: %s)", ErrNotFound, arg, strings.Join(names, ", "))
}
