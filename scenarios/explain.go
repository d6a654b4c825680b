package scenarios

import (
	"cmp"
	"fmt"
	"strings"

	"hasim/model"
)

// Param is one parameter of a scenario as it will run: its value and
// where the value comes from (the file, or a default and its source).
type Param struct {
	Path, Value, From string
}

// HostRole is a host and what runs on it.
type HostRole struct {
	Host, Zone string
	Runs       []string
}

// Explanation is a scenario resolved: topology and parameters.
type Explanation struct {
	Hosts  []HostRole
	Params []Param
}

// Explain resolves a loaded scenario.
func Explain(s *Scenario) (Explanation, error) {
	cfg := s.Config()
	c, err := model.Build(cfg)
	if err != nil {
		return Explanation{}, err
	}
	var ex Explanation
	for _, h := range c.Hosts {
		hr := HostRole{Host: h.Name, Zone: "(none)"}
		if h.Zone != nil {
			hr.Zone = h.Zone.Name
		} else if cfg.LoadBalancer != nil && cfg.LoadBalancer.Kind == model.LBCloud && h.Name == model.CloudLBHost {
			hr.Zone = "(managed)" // the provider's, zone-redundant; no fault reaches it
		}
		for _, p := range h.Procs {
			hr.Runs = append(hr.Runs, p.Name)
		}
		if h.Joining() {
			hr.Runs = append(hr.Runs, "(joins later: all of these start with its join-control-plane operation)")
		}
		ex.Hosts = append(ex.Hosts, hr)
	}
	sp := &s.Spec
	// addAs adds the row path, whose override (if any) is at canon: the
	// same path with list elements by index.
	addAs := func(path, canon string, set bool, value any, def string) {
		from := "scenario file"
		if !set {
			from = "default: " + def
		}
		if by := s.overriddenBy(strings.TrimSpace(strings.SplitN(canon, " (", 2)[0])); by != "" && !strings.HasPrefix(canon, " ") {
			from = by
		}
		ex.Params = append(ex.Params, Param{Path: path, Value: fmt.Sprint(value), From: from})
	}
	add := func(path string, set bool, value any, def string) { addAs(path, path, set, value, def) }
	add("spec.seed", sp.Seed != nil, cfg.Seed, "1 (hasim; --seed overrides)")
	if cfg.HorizonEras > 0 {
		add("spec.horizon", true, cfg.HorizonString(), "")
	} else {
		add("spec.horizon", true, cfg.Horizon, "")
	}
	add("spec.coldStart", sp.ColdStart, cfg.ColdStart, "false: shown from the end of a warm-up of 15-25 s (hasim)")
	e := c.Etcd.Config()
	add("spec.etcd.version", sp.Etcd.Version != "", e.Version, "what kubeadm ships for the Kubernetes version: 3.4 up to 1.21, 3.5 up to 1.33, 3.6 from 1.34")
	if e.RaftTicks() {
		add("spec.etcd.heartbeatInterval", false, e.HeartbeatInterval, "tick × heartbeatTicks")
		add("spec.etcd.electionTimeout", false, e.ElectionTimeout, "tick × electionTicks")
	} else {
		add("spec.etcd.heartbeatInterval", sp.Etcd.HeartbeatInterval != 0, e.HeartbeatInterval, "etcd --heartbeat-interval")
		add("spec.etcd.electionTimeout", sp.Etcd.ElectionTimeout != 0, e.ElectionTimeout, "etcd --election-timeout")
	}
	if e.RaftTicks() {
		add("spec.etcd.tick", true, e.Tick, "")
		add("spec.etcd.heartbeatTicks", sp.Etcd.HeartbeatTicks != 0, e.HeartbeatTicks, "1, as etcd runs etcd-io/raft")
		add("spec.etcd.electionTicks", sp.Etcd.ElectionTicks != 0, e.ElectionTicks, "10, etcd-io/raft's examples")
	}
	add("spec.etcd.electionJitterTicks", sp.Etcd.ElectionJitterTicks != 0, e.ElectionJitterTicks, "E: etcd-io/raft draws the timeout from [E, 2E-1] ticks")
	if sp.Etcd.CheckQuorum != nil {
		add("spec.etcd.checkQuorum", true, *e.CheckQuorum, "")
	}
	add("spec.etcd.preVote", sp.Etcd.PreVote != nil, *e.PreVote, "by version: off in etcd 3.4, on from 3.5 (--pre-vote)")
	add("spec.etcd.tickPhase", sp.Etcd.TickPhase != "", e.TickPhase, "random, as after independent restarts")
	add("spec.etcd.alignedSpread", sp.Etcd.AlignedSpread != 0, e.AlignedSpread, "5ms (hasim's estimate of members started together)")
	add("spec.etcd.requestTimeout", sp.Etcd.RequestTimeout != 0, e.RequestTimeout, "etcd ReqTimeout = 5s + 2 × election timeout")
	add("spec.etcd.snapshotCount", sp.Etcd.SnapshotCount != 0, e.SnapshotCount, "10000, kubeadm's --snapshot-count")
	add("spec.etcd.strictReconfigCheck", sp.Etcd.StrictReconfigCheck != nil, *e.StrictReconfigCheck, "etcd --strict-reconfig-check")
	if !e.RaftTicks() {
		add("spec.etcd.initialElectionTickAdvance", sp.Etcd.InitialElectionTickAdvance != nil, *e.InitialElectionTickAdvance, "etcd --initial-election-tick-advance")
	}
	n := cfg.Network
	add("spec.network.sameZone", sp.Network.SameZone != nil, n.SameZone, "uniform 200µs–500µs (hasim)")
	add("spec.network.crossZone", sp.Network.CrossZone != nil, n.CrossZone, "uniform 1ms–2ms (hasim)")
	add("spec.network.loopback", sp.Network.Loopback != nil, n.Loopback, "50µs (hasim)")
	add("spec.network.loss", sp.Network.Loss != 0, n.Loss, "0")
	add("spec.network.reconnect", sp.Network.Reconnect != nil, n.Reconnect, "real etcd's measured rejoin after a healed silent drop (README: Fidelity)")
	add("spec.network.peerReconnect", sp.Network.PeerReconnect != "", cmp.Or(n.PeerReconnect, model.DefaultPeerReconnect(*e.PreVote)),
		"by preVote: measured (the draw, measured with pre-vote on) with it on, rafthttp (etcd's peer transport) with it off")
	for i, h := range sp.Hosts {
		if !etcdHost(c.Hosts[i]) {
			continue // fsync matters to etcd only
		}
		set := h.Disk != nil && h.Disk.Fsync != nil
		add(fmt.Sprintf("spec.hosts[%d].disk.fsync (%s)", i, h.Name), set, c.Hosts[i].Disk.Fsync, "uniform 0.5ms–2ms, a healthy SSD (etcd: WAL fsync p99 < 10ms)")
	}
	if cp := sp.ControlPlane; cp != nil {
		add("spec.controlPlane.kubernetesVersion", cp.KubernetesVersion != "", orDefault(cp.KubernetesVersion, DefaultKubernetesVersion),
			DefaultKubernetesVersion+", the newest release kubeadm pairs with etcd 3.5")
		if len(cp.Joining) > 0 {
			mode := "learner, promoted once in sync (kubeadm EtcdLearnerMode, on from 1.29)"
			if cp.minor() < learnerModeMinor {
				mode = "voter at once (kubeadm before 1.29: no learner mode)"
			}
			add("  (a joining stacked member is added as)", false, mode, "by kubernetesVersion")
			add("  (kubeadm's etcd calls)", false, fmt.Sprintf("every %v, %v each, %v per step", model.KubeadmEtcdRetry, model.KubeadmEtcdCallTimeout, model.KubeadmEtcdPollTimeout),
				"kubeadm EtcdAPICallRetryInterval, etcdTimeout, EtcdAPICall timeout")
		}
		add("spec.controlPlane.controllersEndpoint", cp.ControllersEndpoint != "", orDefault(cp.ControllersEndpoint, "local"), "local: kubeadm since 1.19.1/1.20")
		le := cp.LeaderElection
		if le == nil {
			le = &LeaderElectionSpec{}
		}
		d := c.Groups[0].Config().LE
		add("spec.controlPlane.leaderElection.leaseDuration", le.LeaseDuration != 0, d.LeaseDuration, "--leader-elect-lease-duration")
		add("spec.controlPlane.leaderElection.renewDeadline", le.RenewDeadline != 0, d.RenewDeadline, "--leader-elect-renew-deadline")
		add("spec.controlPlane.leaderElection.retryPeriod", le.RetryPeriod != 0, d.RetryPeriod, "--leader-elect-retry-period")
		add("spec.controlPlane.leaderElection.startDelay", le.StartDelay != 0, d.StartDelay, "2s ±50% (hasim's estimate: container start and init)")
		add("spec.controlPlane.leaderElection.exitFlush", le.ExitFlush != 0, d.ExitFlush, "0 (klog.FlushAndExit waits up to 10s)")
		add("  (per-request API timeout)", false, d.RequestTimeout, "max(1s, renewDeadline/2), client-go resourcelock")
		a := cp.APIServer
		if a == nil {
			a = &APIServerSpec{}
		}
		ac := c.APIServers[0].Config()
		add("spec.controlPlane.apiserver.requestTimeout", a.RequestTimeout != 0, ac.RequestTimeout, "kube-apiserver --request-timeout")
		add("spec.controlPlane.apiserver.healthTimeout", a.HealthTimeout != 0, ac.HealthTimeout, "--etcd-healthcheck-timeout")
		add("spec.controlPlane.apiserver.readyTimeout", a.ReadyTimeout != 0, ac.ReadyTimeout, "--etcd-readycheck-timeout")
		add("spec.controlPlane.apiserver.initTime", a.InitTime != 0, ac.InitTime, "2.4s ±25% (process start to the etcd dial, CPU work; measured on a small machine)")
		add("spec.controlPlane.apiserver.dialTimeout", a.DialTimeout != 0, ac.DialTimeout, "kube-apiserver's etcd dial timeout (hard-coded upstream)")
		add("spec.controlPlane.apiserver.bootstrapReads", a.BootstrapReads != 0, ac.BootstrapReads, "rbac/bootstrap-roles: 2 lists + the bootstrap RBAC objects")
		add("spec.controlPlane.apiserver.loopbackCost", a.LoopbackCost != 0, ac.LoopbackCost, "hasim's estimate: one loopback request's handler chain")
		add("spec.controlPlane.apiserver.watchCacheStaleAfter", a.WatchCacheStaleAfter != 0, ac.WatchCacheStaleAfter,
			"3 × etcd electionTimeout + 2s (hasim: etcd's require-leader cut, then the reflector's failed re-list)")
		add("spec.controlPlane.apiserver.etcdKeepaliveTime", a.EtcdKeepaliveTime != 0, ac.EtcdKeepaliveTime, "kube-apiserver's etcd client (hard-coded upstream)")
		add("spec.controlPlane.apiserver.etcdKeepaliveTimeout", a.EtcdKeepaliveTimeout != 0, ac.EtcdKeepaliveTimeout, "kube-apiserver's etcd client (hard-coded upstream)")
		lp := a.LivenessProbe
		if lp == nil {
			lp = &ProbeTimingSpec{}
		}
		l := ac.Liveness
		add("spec.controlPlane.apiserver.livenessProbe", *lp != ProbeTimingSpec{},
			fmt.Sprintf("after %v, every %v, timeout %v, %d failures", l.InitialDelay, l.Period, l.Timeout, l.FailureThreshold), "kubeadm's kube-apiserver manifest (10s, 10s, 15s, 8)")
		rp := a.ReadinessProbe
		if rp == nil {
			rp = &ReadinessProbeSpec{}
		}
		r := ac.Readiness
		add("spec.controlPlane.apiserver.readinessProbe", *rp != ReadinessProbeSpec{},
			fmt.Sprintf("every %v, timeout %v", r.Period, r.Timeout), "kubeadm's kube-apiserver manifest (1s, 15s); its /readyz calls run the etcd checks, whose limiter then answers the load balancer's checks")
		ks := cp.Kubelet
		if ks == nil {
			ks = &KubeletSpec{}
		}
		kc := c.KubeletConfig()
		add("spec.controlPlane.kubelet.restartBackOff", ks.RestartBackOff != 0, kc.RestartBackoff, "kubelet's container restart back-off, doubling")
		add("spec.controlPlane.kubelet.maxRestartBackOff", ks.MaxRestartBackOff != 0, kc.MaxRestartBackoff, "kubelet MaxContainerBackOff (reset after 10 minutes running)")
		if lb, name := cp.lb(); lb != nil && c.LB != nil {
			l := c.LB.Config()
			p := "spec.controlPlane." + name + "."
			if l.Kind == model.LBHAProxy || l.Kind == model.LBKeepalived {
				add(p+"check", lb.Check != "", l.Check, "http GET /readyz (kubeadm HA guide)")
				add(p+"inter", lb.Inter != 0, l.Inter, "HAProxy inter")
				add(p+"fall", lb.Fall != 0, l.Fall, "HAProxy fall")
				add(p+"rise", lb.Rise != 0, l.Rise, "HAProxy rise")
				add(p+"timeoutCheck", lb.TimeoutCheck != 0, l.TimeoutCheck, "unset: inter (HAProxy)")
				add(p+"timeoutConnect", lb.TimeoutConnect != 0, l.ConnectTimeout, "kubeadm HA guide's haproxy.cfg (timeout connect 5s)")
				add(p+"timeoutServer", lb.TimeoutServer != 0, l.ServerTimeout, "kubeadm HA guide's haproxy.cfg (timeout server 20s)")
				add(p+"timeoutClient", lb.TimeoutClient != 0, l.ClientTimeout, "kubeadm HA guide's haproxy.cfg (timeout client 20s)")
				add(p+"shutdownSessions", lb.ShutdownSessions, l.ShutdownSessions,
					"off: HAProxy keeps a DOWN server's established connections (no on-marked-down in the kubeadm HA guide)")
				add(p+"backup", lb.Backup != nil, backupList(l.Backup), "none: every master a primary server (the kubeadm HA guide's backend)")
				add(p+"allBackups", lb.AllBackups, l.AllBackups, "off: only the first UP backup server takes connections (HAProxy option allbackups)")
				add(p+"shutdownBackupSessions", lb.ShutdownBackupSessions, l.ShutdownBackupSessions,
					"off: HAProxy keeps the backup servers' connections when a primary comes UP (on-marked-up)")
			}
			if l.Kind == model.LBNginx {
				add(p+"maxFails", lb.MaxFails != 0, l.MaxFails, "nginx server max_fails=1 (ngx_stream_upstream_module)")
				add(p+"failTimeout", lb.FailTimeout != 0, l.FailTimeout, "nginx server fail_timeout=10s")
				add(p+"proxyConnectTimeout", lb.ProxyConnectTimeout != 0, l.ConnectTimeout, "nginx proxy_connect_timeout 60s (ngx_stream_proxy_module)")
				add(p+"proxyTimeout", lb.ProxyTimeout != 0, l.ProxyTimeout, "nginx proxy_timeout 10m")
				add(p+"nextUpstreamTries", lb.NextUpstreamTries != 0, l.NextUpstreamTries, "nginx proxy_next_upstream_tries 0: no limit")
				add(p+"nextUpstreamTimeout", lb.NextUpstreamTimeout != 0, l.NextUpstreamTimeout, "nginx proxy_next_upstream_timeout 0: no limit")
				add(p+"backup", lb.Backup != nil, backupList(l.Backup), "none: every master a primary server (nginx server backup)")
			}
			if l.Kind == model.LBCloud {
				src := map[string][8]string{
					model.ProviderAWS: {"AWS NLB target group: TCP health check unless set",
						"AWS NLB HealthCheckIntervalSeconds 30 (5 to 300 allowed)",
						"AWS NLB HealthCheckTimeoutSeconds: 10 for TCP, 6 for HTTP",
						"AWS NLB HealthyThresholdCount 5",
						"AWS NLB UnhealthyThresholdCount 2",
						"close: AWS NLB target_health_state.unhealthy.connection_termination.enabled true",
						"AWS NLB fails open when no target is healthy",
						"AWS NLB TCP idle timeout 350s"},
					model.ProviderAzure: {"Azure Load Balancer probe: TCP unless set",
						"Azure probe intervalInSeconds 5 (the portal's; the API's 15)",
						"a probe unanswered within the interval fails (Azure)",
						"Azure probeThreshold 1",
						"Azure probeThreshold 1",
						"keep: Azure Standard LB keeps established TCP flows to a backend probed down",
						"Azure noHealthyBackendsBehavior AllProbedDown: no new flows",
						"Azure Load Balancer TCP idle timeout 4 minutes"},
					model.ProviderGCP: {"Google Cloud health check: TCP unless set",
						"Google Cloud health check checkIntervalSec 5",
						"Google Cloud health check timeoutSec 5",
						"Google Cloud health check healthyThreshold 2",
						"Google Cloud health check unhealthyThreshold 2",
						"keep: connectionPersistenceOnUnhealthyBackends DEFAULT_FOR_PROTOCOL (TCP persists)",
						"Google Cloud passthrough NLB: all backends unhealthy, traffic to all",
						"Google Cloud connection tracking idle timeout 600s"},
				}[l.Provider]
				add(p+"provider", lb.Provider != "", l.Provider, "aws; the provider's managed load balancer does not fail")
				add(p+"check", lb.Check != "", l.Check, src[0])
				add(p+"interval", lb.Interval != 0, l.Inter, src[1])
				add(p+"timeout", lb.Timeout != 0, l.TimeoutCheck, src[2])
				add(p+"healthyThreshold", lb.HealthyThreshold != 0, l.Rise, src[3])
				add(p+"unhealthyThreshold", lb.UnhealthyThreshold != 0, l.Fall, src[4])
				add(p+"unhealthyConnections", lb.UnhealthyConnections != "", l.UnhealthyConnections, src[5])
				add(p+"unhealthyDraining", lb.UnhealthyDraining != 0, l.UnhealthyDraining, "0: closed at once where unhealthyConnections is close (AWS NLB target_health_state.unhealthy.draining_interval_seconds 0)")
				add(p+"failOpen", lb.FailOpen != nil, *l.FailOpen, src[6])
				add(p+"idleTimeout", lb.IdleTimeout != 0, l.IdleTimeout, src[7])
			}
			if l.Kind == model.LBKeepalived {
				add(p+"advertInterval", lb.AdvertInterval != 0, l.AdvertInterval, "keepalived advert_int")
				add(p+"priorities", lb.Priorities != nil, fmt.Sprint(l.Priorities), "101, 100, ... (kubeadm HA guide: 101 master, 100 backup)")
				cs := lb.CheckScript
				if cs == nil {
					cs = &CheckScriptSpec{}
				}
				sc := l.Script
				add(p+"checkScript", *cs != CheckScriptSpec{}, fmt.Sprintf("every %v, fall %d, rise %d, weight %d", sc.Interval, sc.Fall, sc.Rise, *sc.Weight),
					"kubeadm HA guide's check_apiserver (keepalived's own: 1s, 1, 1, 0)")
			}
			if l.Kind == model.LBKubeVIP {
				add(p+"leaderElection", lb.LeaderElection != nil,
					fmt.Sprintf("%v/%v/%v, start %v, exit %v", l.LE.LeaseDuration, l.LE.RenewDeadline, l.LE.RetryPeriod, l.LE.StartDelay, l.LE.ExitFlush),
					"kube-vip ≥ 1.1 (older: 5s/3s/1s)")
			}
		}
	}
	if cfg.Workers != nil {
		nl := sp.ControlPlane.NodeLifecycle
		if nl == nil {
			nl = &NodeLifecycleSpec{}
		}
		l := c.NodeLifecycle()
		p := "spec.controlPlane.nodeLifecycle."
		add(p+"leaseDuration", nl.LeaseDuration != 0, l.LeaseDuration, "kubelet nodeLeaseDurationSeconds; renewed every quarter (+4% jitter)")
		add(p+"monitorPeriod", nl.MonitorPeriod != 0, l.MonitorPeriod, "--node-monitor-period")
		add(p+"gracePeriod", nl.GracePeriod != 0, l.GracePeriod, "--node-monitor-grace-period by kubernetesVersion: 40s up to 1.31, 50s from 1.32")
		add(p+"toleration", nl.Toleration != 0, l.Toleration, "--default-unreachable-toleration-seconds")
		add(p+"evictionRate", nl.EvictionRate != nil, l.EvictionRate, "--node-eviction-rate (nodes/s per zone)")
		add(p+"secondaryEvictionRate", nl.SecondaryEvictionRate != nil, l.SecondaryEvictionRate, "--secondary-node-eviction-rate")
		add(p+"unhealthyZoneThreshold", nl.UnhealthyZoneThreshold != nil, l.UnhealthyZoneThreshold, "--unhealthy-zone-threshold")
		add(p+"largeClusterSize", nl.LargeClusterSize != 0, l.LargeClusterSize, "--large-cluster-size-threshold")
		add(p+"podStartDelay", nl.PodStartDelay != 0, l.PodStartDelay, "2s ±50% (hasim's estimate: image present)")
		for _, n := range cfg.Workers.Nodes {
			if !n.Schedulable {
				add(fmt.Sprintf("  (kubelet on %s sends to)", n.Host), false, n.Endpoint, "local from 1.33 (kubeadm ControlPlaneKubeletLocalMode), else the endpoint")
				break
			}
		}
	}
	if svc := c.Service; svc != nil {
		ks := sp.ControlPlane.KubernetesService
		if ks == nil {
			ks = &KubernetesServiceSpec{}
		}
		kp := ks.KubeProxy
		if kp == nil {
			kp = &KubeProxySpec{}
		}
		sc := svc.Config()
		p := "spec.controlPlane.kubernetesService."
		addr := "host"
		if sc.AdvertiseLB {
			addr = "load-balancer"
		}
		add(p+"advertiseAddress", ks.AdvertiseAddress != "", addr, "host: each apiserver's --advertise-address is its own (kubeadm)")
		add(p+"reconcileInterval", ks.ReconcileInterval != 0, sc.ReconcileInterval, "DefaultEndpointReconcilerInterval (lease reconciler)")
		add(p+"leaseTTL", ks.LeaseTTL != 0, sc.LeaseTTL, "DefaultEndpointReconcilerTTL: the etcd lease on /registry/masterleases/<address>")
		add(p+"kubeProxy.endpoint", kp.Endpoint != "", sc.ProxyEndpoint, "lb: kubeadm's kube-proxy kubeconfig names the control-plane endpoint")
		add(p+"kubeProxy.syncPeriod", kp.SyncPeriod != 0, sc.ProxySync, "kube-proxy iptables minSyncPeriod")
	}
	// Probes and failures by name, as --set reaches them; a probe added
	// because the scenario defines none, or a failureProfile's class, is
	// reached the same way (see implied).
	defaultProbes := len(sp.Probes) == 0 || s.impliedList("spec.probes")
	for i, p := range c.Probes {
		pc := p.Config()
		var spec ProbeSpec
		from := "added because the scenario defines no probe"
		if !defaultProbes {
			spec, from = sp.Probes[i], ""
		}
		at := fmt.Sprintf("spec.probes[%s].", p.Name)
		canon := fmt.Sprintf("spec.probes[%d].", i)
		addAs(at+"kind", canon+"kind", spec.Kind != "", pc.Kind, cmp.Or(from, "write"))
		addAs(at+"via", canon+"via", spec.Via != "", orDefault(pc.Via, "etcd"), cmp.Or(from, "etcd: a client of the etcd members"))
		addAs(at+"period", canon+"period", spec.Period != 0, pc.Period, cmp.Or(from, "100ms (hasim)"))
		addAs(at+"timeout", canon+"timeout", spec.Timeout != 0, pc.Timeout, cmp.Or(from, "3s (hasim)"))
		if pc.Via != "" {
			src := "per-request: a fresh connection for every request (hasim)"
			if pc.Connection == model.ConnLongLived {
				src = fmt.Sprintf("long-lived: client-go's HTTP/2, PING after %v idle, closed %v later, %d streams (kube-apiserver's limit)",
					model.DefaultH2ReadIdleTimeout, model.DefaultH2PingTimeout, model.DefaultH2MaxStreams)
			}
			addAs(at+"connection", canon+"connection", spec.Connection != "", pc.Connection, cmp.Or(from, src))
		}
	}
	members := map[string][]string{}
	for _, st := range c.FailureStats() {
		members[st.Failure] = append(members[st.Failure], st.Member)
	}
	for _, e := range sp.failures() {
		f := &e.spec
		what := fmt.Sprintf("%s on %s", f.Kind, f.target())
		if model.FaultKind(f.Kind) == model.FaultMaintenance {
			mc := sp.failureModels()
			for _, m := range mc {
				if m.Name == f.name() {
					mt := m.Maintenance
					what += fmt.Sprintf(", every %s (drain %s, restart %s, settle %s)", model.LongString(mt.Every), model.LongString(mt.Drain),
						model.LongString(mt.Duration), model.LongString(mt.Settle))
				}
			}
		} else {
			what += fmt.Sprintf(", between failures %s", f.tbf())
			if !model.FaultKind(f.Kind).Instant() {
				what += fmt.Sprintf(", to repair %s", f.ttr())
			}
		}
		if m := members[f.name()]; len(m) > 0 {
			what += " [" + strings.Join(m, "; ") + "]"
		} else {
			what += " [no member in this cluster]"
		}
		at := fmt.Sprintf("spec.failures[%s]", f.name())
		canon := fmt.Sprintf("spec.failures[%d]", e.user)
		switch {
		case e.user >= 0 && e.base:
			addAs(at, canon, true, what, "")
			if p := &ex.Params[len(ex.Params)-1]; p.From == "scenario file" {
				p.From = "failureProfile " + sp.FailureProfile + ", overridden in the scenario file"
			} else {
				p.From = "failureProfile " + sp.FailureProfile + ", overridden by " + p.From
			}
		case e.user >= 0:
			addAs(at, canon, true, what, "")
		default:
			add(at, false, what, "failureProfile "+sp.FailureProfile+" (docs/failures.md gives each figure's source)")
		}
	}
	return ex, nil
}

func etcdHost(h *model.Host) bool {
	for _, p := range h.Procs {
		if p.Role == model.RoleEtcd {
			return true
		}
	}
	return false
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// String renders the explanation as text.
func (ex Explanation) String() string {
	var b strings.Builder
	b.WriteString("Topology:\n")
	for _, h := range ex.Hosts {
		runs := strings.Join(h.Runs, ", ")
		if runs == "" {
			runs = "(nothing simulated: a worker)"
		}
		fmt.Fprintf(&b, "  %-14s %-8s %s\n", h.Host, h.Zone, runs)
	}
	b.WriteString("\nParameters:\n")
	w := 0
	for _, p := range ex.Params {
		w = max(w, len(p.Path))
	}
	for _, p := range ex.Params {
		fmt.Fprintf(&b, "  %-*s  %-22s %s\n", w, p.Path, p.Value, p.From)
	}
	return b.String()
}

// backupList shows a load balancer's backup servers: their hosts, or none.
func backupList(hosts []string) string {
	if len(hosts) == 0 {
		return "none"
	}
	return strings.Join(hosts, ", ")
}
