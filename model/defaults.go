package model

import (
	"hasim/model/kube"
)

// Each component's defaults are filled in once, by its configuration's
// WithDefaults (withDefaults) method, when the cluster is built. What reads
// them afterwards (validation, `hasim explain`) asks the built cluster for
// the configuration it runs with rather than filling the defaults again.

// KubeletConfig is the kubelets' configuration with its defaults filled in.
func (c *Cluster) KubeletConfig() kube.KubeletConfig { return c.KubeletCfg }

// NodeLifecycle is the node lifecycle controller's configuration with its
// defaults filled in; zero without a worker plane.
func (c *Cluster) NodeLifecycle() kube.NodeLifecycleConfig {
	if c.Workers == nil {
		return kube.NodeLifecycleConfig{}
	}
	return c.Workers.Cfg
}
