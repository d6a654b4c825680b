package main

import (
	"strings"

	"hasim/scenarios"
)

// setUsage is the help of --set, shared by the verbs that load scenarios.
const setUsage = "override a scenario field, PATH=VALUE, by the path hasim explain prints (repeatable): spec.etcd.electionTimeout=500ms, spec.hosts[master-1].disk.fsync={min: 5ms, max: 9ms}; an empty VALUE restores the default"

// setFlag declares --set on a verb.
func setFlag(fs *verbFlags) *[]string {
	return fs.StringArray("set", nil, setUsage)
}

// overrides parses the values of --set.
func overrides(raw []string) ([]scenarios.Override, error) {
	var out []scenarios.Override
	for _, s := range raw {
		o, err := scenarios.ParseOverride(s)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// setArgs is the --set flags as they reproduce a run on a shell's command
// line.
func setArgs(raw []string) string {
	var b strings.Builder
	for _, s := range raw {
		b.WriteString(" --set " + shellQuote(s))
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell if it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
