package model

// Each component's defaults are filled in once, by its configuration's
// WithDefaults (withDefaults) method, when the cluster is built. What reads
// them afterwards (validation, `hasim explain`) asks the built cluster for
// the configuration it runs with rather than filling the defaults again.

// withDefaults fills a lease group's unset fields: client-go's
// leader-election defaults and the local apiserver as endpoint.
func (gc LeaseGroupConfig) withDefaults() LeaseGroupConfig {
	gc.LE = gc.LE.WithDefaults()
	if gc.Endpoint == "" {
		gc.Endpoint = "local"
	}
	return gc
}

// Config is the group's configuration with its defaults filled in.
func (g *LeaseGroup) Config() LeaseGroupConfig { return g.cfg }

// KubeletConfig is the kubelets' configuration with its defaults filled in.
func (c *Cluster) KubeletConfig() KubeletConfig { return c.kubeletCfg }

// NodeLifecycle is the node lifecycle controller's configuration with its
// defaults filled in; zero without a worker plane.
func (c *Cluster) NodeLifecycle() NodeLifecycleConfig {
	if c.workers == nil {
		return NodeLifecycleConfig{}
	}
	return c.workers.cfg
}
