package kube

import (
	"slices"
	"testing"
)

// TestBackupProblems: a configuration built without the scenario loader
// is checked too: backups behind a proxy only, each an apiserver's host,
// once, and not every server.
func TestBackupProblems(t *testing.T) {
	api := map[string]bool{"m1": true, "m2": true, "m3": true}
	for _, c := range []struct {
		cfg  LoadBalancerConfig
		want []string
	}{
		{LoadBalancerConfig{Kind: LBHAProxy}, nil},
		{LoadBalancerConfig{Kind: LBHAProxy, Backup: []string{"m3"}}, nil},
		{LoadBalancerConfig{Kind: LBNginx, Backup: []string{"m2", "m3"}}, nil},
		{LoadBalancerConfig{Kind: LBCloud, Backup: []string{"m3"}}, []string{"backup servers need a proxy (haproxy, keepalived or nginx), not cloud"}},
		{LoadBalancerConfig{Kind: LBKeepalived, Backup: []string{"lb", "m3", "m3"}}, []string{`backup server "lb" runs no apiserver`, `backup server "m3" is listed twice`}},
		{LoadBalancerConfig{Kind: LBHAProxy, Backup: []string{"m1", "m2", "m3"}}, []string{"every server is a backup: at least one must not be"}},
		{LoadBalancerConfig{Kind: LBHAProxy, Backup: []string{"m1", "m2", "lb"}}, []string{`backup server "lb" runs no apiserver`}},
	} {
		if got := c.cfg.BackupProblems(api, len(api)); !slices.Equal(got, c.want) {
			t.Errorf("%s %v: %q, want %q", c.cfg.Kind, c.cfg.Backup, got, c.want)
		}
	}
}
