package scenarios

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"hasim/model"
)

// docDuration writes d as docs/failures.md does: 1y, 90d, 2h, 5m, 200ms.
func docDuration(d time.Duration) string {
	switch {
	case d >= Year && d%Year == 0:
		return fmt.Sprintf("%dy", d/Year)
	case d >= Day && d%Day == 0:
		return fmt.Sprintf("%dd", d/Day)
	}
	s := d.String()
	for _, z := range []string{"0s", "0m"} {
		if strings.HasSuffix(s, "m"+z) || strings.HasSuffix(s, "h"+z) {
			s = strings.TrimSuffix(s, z)
		}
	}
	return s
}

// docLife writes a distribution as the profile tables do, without the
// parenthesised mean some cells add.
func docLife(l model.Life) string {
	switch l.Kind {
	case model.LifeExponential:
		return "exponential, mean " + docDuration(l.Mean)
	case model.LifeWeibull:
		return fmt.Sprintf("Weibull shape %g, scale %s", l.Shape, docDuration(l.Scale))
	case model.LifeLogNormal:
		return fmt.Sprintf("lognormal %s, σ %g", docDuration(l.Median), l.Sigma)
	}
	return "unexpected " + l.String()
}

// docKindTarget writes the kind, target and parameters cell of a class;
// role stands for the role of a row that lists several classes.
func docKindTarget(f FailureSpec, role string) string {
	target := f.target()
	if role != "" {
		target = strings.Replace(target, role, "NAME", 1)
	}
	s := f.Kind + ", " + target
	switch {
	case f.Fsync != nil:
		s += fmt.Sprintf(" (fsync lognormal %s, σ %g)", docDuration(f.Fsync.Median.D()), *f.Fsync.Sigma)
	case f.ClockRate != nil:
		s += fmt.Sprintf(" (rate %g)", *f.ClockRate)
	case f.Kind == string(model.FaultMaintenance):
		s += fmt.Sprintf(": every %s, drain %s, duration %s, settle %s",
			docDuration(f.Every.D()), docDuration(f.Drain.D()), docDuration(f.Duration.D()), docDuration(f.Settle.D()))
	}
	return s
}

var (
	docClassRE = regexp.MustCompile("`([a-z-]+)`")
	docMeanRE  = regexp.MustCompile(`^(.*) \(mean ([0-9.]+[a-z]+)(?: [^)]*)?\)$`)
	docAsRE    = regexp.MustCompile("^as `([a-z-]+)`$")
)

// docProfileRows reads the table of a profile in docs/failures.md: each
// class with its cells (kind and target, between failures, to repair).
func docProfileRows(t *testing.T, doc, profile string) (map[string][3]string, []string) {
	t.Helper()
	_, sec, ok := strings.Cut(doc, "\n### "+profile+"\n")
	if !ok {
		t.Fatalf("docs/failures.md: no section %q", profile)
	}
	if i := strings.Index(sec, "\n#"); i >= 0 {
		sec = sec[:i]
	}
	rows, order := map[string][3]string{}, []string(nil)
	for _, line := range strings.Split(sec, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(line, "| "), " |"), " | ")
		if len(cells) < 4 {
			t.Fatalf("docs/failures.md %s: short row %q", profile, line)
		}
		for _, m := range docClassRE.FindAllStringSubmatch(cells[0], -1) {
			if _, dup := rows[m[1]]; dup {
				t.Errorf("docs/failures.md %s: class %s listed twice", profile, m[1])
			}
			rows[m[1]] = [3]string{cells[1], cells[2], cells[3]}
			order = append(order, m[1])
		}
	}
	return rows, order
}

// TestFailureProfilesMatchDocs pins the profile tables of docs/failures.md
// to the presets: the same classes, and for each its kind, target,
// parameters and distributions, and any mean a cell states.
func TestFailureProfilesMatchDocs(t *testing.T) {
	raw, err := os.ReadFile("../docs/failures.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, profile := range FailureProfiles() {
		rows, order := docProfileRows(t, doc, profile)
		specs := map[string]FailureSpec{}
		var names []string
		for _, f := range preset(profile) {
			specs[f.name()] = f
			names = append(names, f.name())
		}
		for _, n := range order {
			if _, ok := specs[n]; !ok {
				t.Errorf("%s: docs/failures.md lists class %s, which the preset does not have", profile, n)
			}
		}
		// A row listing several classes (the process crashes) writes its
		// target with NAME for the role.
		shared := map[string]bool{}
		for i, n := range order {
			if i > 0 && rows[order[i-1]] == rows[n] {
				shared[n], shared[order[i-1]] = true, true
			}
		}
		for _, n := range names {
			f := specs[n]
			row, ok := rows[n]
			if !ok {
				t.Errorf("%s: class %s is missing from the table of docs/failures.md", profile, n)
				continue
			}
			role := ""
			if shared[n] {
				role = strings.TrimPrefix(f.target(), model.TargetRole+":")
			}
			if want := docKindTarget(f, role); row[0] != want {
				t.Errorf("%s %s: docs say %q, the preset is %q", profile, n, row[0], want)
			}
			for i, life := range []struct {
				what string
				l    model.Life
				none bool
			}{{"between failures", f.tbf(), f.Kind == string(model.FaultMaintenance)}, {"to repair", f.ttr(), f.Kind == string(model.FaultMaintenance) || model.FaultKind(f.Kind).Instant()}} {
				cell := row[1+i]
				if life.none {
					if cell != "—" {
						t.Errorf("%s %s %s: docs say %q, the preset has none (—)", profile, n, life.what, cell)
					}
					continue
				}
				if m := docAsRE.FindStringSubmatch(cell); m != nil {
					other, ok := specs[m[1]]
					if !ok {
						t.Errorf("%s %s %s: docs say %q, no such class", profile, n, life.what, cell)
						continue
					}
					ol := []model.Life{other.tbf(), other.ttr()}[i]
					if docLife(ol) != docLife(life.l) {
						t.Errorf("%s %s %s: docs say %q (%s), the preset is %s", profile, n, life.what, cell, docLife(ol), docLife(life.l))
					}
					continue
				}
				body := cell
				if m := docMeanRE.FindStringSubmatch(cell); m != nil {
					body = m[1]
					mean, err := parseDuration(m[2])
					if err != nil {
						t.Errorf("%s %s %s: bad mean %q: %v", profile, n, life.what, m[2], err)
					} else if got := life.l.MeanOf(); math.Abs(float64(mean-got)) > 0.02*float64(got) {
						t.Errorf("%s %s %s: docs give a mean of %s, the preset's is %v", profile, n, life.what, m[2], got)
					}
				}
				if want := docLife(life.l); body != want {
					t.Errorf("%s %s %s: docs say %q, the preset is %q", profile, n, life.what, body, want)
				}
			}
		}
	}
}
