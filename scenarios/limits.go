package scenarios

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"hasim/model"
)

// The limits of every numeric field are model's (model.MaxHosts and the
// rest, documented there and in README.md); checkLimits reports each at the
// field that breaks it.

// human writes a limit without trailing zero units: 1h, 24h, 50s, 1ms.
func human(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	s := d.String()
	for _, z := range []string{"m0s", "h0m"} {
		if strings.HasSuffix(s, z) && s != z {
			s = strings.TrimSuffix(s, z) + z[:1]
		}
	}
	if d == model.MaxHorizon {
		return model.LongString(d)
	}
	if d == model.MaxClockOffset {
		return s + " (100 years)"
	}
	return s
}

// limits collects range errors with paths relative to the spec.
type limits struct{ errs ErrorList }

func (l *limits) add(path, format string, a ...any) {
	l.errs = append(l.errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, a...)})
}

// dur checks a duration that is set (non-zero; zero means the default).
func (l *limits) dur(path string, d Duration, lo, hi time.Duration) {
	if d != 0 && (d.D() < lo || d.D() > hi) {
		l.add(path, "%v out of range; allowed: %s to %s", d.D(), human(lo), human(hi))
	}
}

// count checks a list's length.
func (l *limits) count(path string, n, hi int, what, why string) {
	if n > hi {
		l.add(path, "%d %s; allowed: at most %d (%s)", n, what, hi, why)
	}
}

// num checks an integer that is set (non-zero).
func (l *limits) num(path string, n, lo, hi int) {
	if n != 0 && (n < lo || n > hi) {
		l.add(path, "%d out of range; allowed: %d to %d", n, lo, hi)
	}
}

// rate checks a clock rate.
func (l *limits) rate(path string, r float64) {
	if !(r >= model.MinClockRate && r <= model.MaxClockRate) {
		l.add(path, "%g out of range; allowed: %g to %g (1 is a perfect clock; NTP keeps real ones within 0.9995 to 1.0005)", r, model.MinClockRate, model.MaxClockRate)
	}
}

// offset checks a signed clock offset or step.
func (l *limits) offset(path string, o time.Duration) {
	if o < -model.MaxClockOffset || o > model.MaxClockOffset {
		l.add(path, "%v out of range; allowed: -%s to %s", o, human(model.MaxClockOffset), human(model.MaxClockOffset))
	}
}

// checkLimits reports every value of the spec beyond model's limits.
func (s *Spec) checkLimits() ErrorList {
	var l limits
	if s.Horizon.Eras == 0 && s.Horizon.D() > model.MaxHorizon {
		l.add("horizon", "%s out of range; allowed: up to %s, or with failure processes up to %dy (simulated time is int64 nanoseconds, which end at about 292 years); the work of a long run is bounded by maxEvents",
			model.LongString(s.Horizon.D()), human(model.MaxHorizon), model.MaxLongHorizon)
	}
	if s.MaxEvents > model.MaxMaxEvents {
		l.add("maxEvents", "%d out of range; allowed: up to %d (0: the default, %d)", s.MaxEvents, uint64(model.MaxMaxEvents), uint64(model.DefaultMaxEvents))
	}
	if n := s.MaxEventsPerInstant; n != 0 && (n < model.MinMaxEventsPerInstant || n > model.MaxMaxEventsPerInstant) {
		l.add("maxEventsPerInstant", "%d out of range; allowed: %d to %d (0: the default, %d)", n, model.MinMaxEventsPerInstant, model.MaxMaxEventsPerInstant, model.DefaultMaxEventsPerInstant)
	}
	l.count("zones", len(s.Zones), model.MaxZones, "zones", "regions have a handful")
	l.count("hosts", len(s.Hosts), model.MaxHosts, "hosts", "Kubernetes supports clusters of up to 5,000 nodes")
	for i, h := range s.Hosts {
		if h.Clock == nil {
			continue
		}
		p := fmt.Sprintf("hosts[%d].clock.", i)
		l.offset(p+"offset", h.Clock.Offset.D())
		if h.Clock.Rate != nil {
			l.rate(p+"rate", *h.Clock.Rate)
		}
	}
	l.count("etcd.members", len(s.Etcd.Members), model.MaxEtcdMembers, "members", "etcd recommends 3, 5 or 7 members")
	e := &s.Etcd
	l.dur("etcd.heartbeatInterval", e.HeartbeatInterval, model.MinHeartbeatInterval, model.MaxHeartbeatInterval)
	l.dur("etcd.tick", e.Tick, model.MinTick, model.MaxHeartbeatInterval)
	if e.Tick.D() >= model.MinTick {
		l.num("etcd.heartbeatTicks", e.HeartbeatTicks, 0, int(model.MaxHeartbeatInterval/e.Tick.D()))
	}
	if hb := s.etcdModel().WithDefaults().Tick; hb >= model.MinTick && e.ElectionJitterTicks > int(model.MaxElectionJitter/hb) {
		unit := "heartbeatInterval"
		if e.Tick != 0 {
			unit = "tick"
		}
		l.add("etcd.electionJitterTicks", "%d out of range; allowed: 1 to %d (at most %s of %s %v, etcd's longest election timeout)",
			e.ElectionJitterTicks, int(model.MaxElectionJitter/hb), human(model.MaxElectionJitter), unit, hb)
	}
	l.dur("etcd.alignedSpread", e.AlignedSpread, 0, model.MaxPeriod)
	l.dur("etcd.requestTimeout", e.RequestTimeout, model.MinTimeout, model.MaxTimeout)
	if e.SnapshotCount > model.MaxSnapshotCount {
		l.add("etcd.snapshotCount", "%d out of range; allowed: up to %d (etcd's default is 100000, kubeadm's 10000)", e.SnapshotCount, model.MaxSnapshotCount)
	}
	if cp := s.ControlPlane; cp != nil {
		l.controlPlane(cp)
		if n := len(cp.Masters) + len(cp.Workers); n > model.MaxNodes {
			l.add("controlPlane.workers", "%d nodes (masters and workers); allowed: at most %d (Kubernetes supports clusters of up to 5,000 nodes)", n, model.MaxNodes)
		}
	}
	l.count("workloads", len(s.Workloads), model.MaxWorkloads, "workloads", "a cluster's ReplicaSets")
	pods, each := 0, true
	for i, w := range s.Workloads {
		if w.Replicas > model.MaxPods {
			l.add(fmt.Sprintf("workloads[%d].replicas", i), "%d out of range; allowed: 1 to %d (Kubernetes supports up to 150,000 pods per cluster)", w.Replicas, model.MaxPods)
			each = false
		}
		pods += max(w.Replicas, 0)
	}
	if each && pods > model.MaxPods {
		l.add("workloads", "%d replicas in all; allowed: at most %d (Kubernetes supports up to 150,000 pods per cluster)", pods, model.MaxPods)
	}
	l.count("probes", len(s.Probes), model.MaxProbes, "probes", "each is a client measuring availability")
	for i, p := range s.Probes {
		path := fmt.Sprintf("probes[%d].", i)
		l.dur(path+"period", p.Period, model.MinPeriod, model.MaxPeriod)
		l.dur(path+"timeout", p.Timeout, model.MinTimeout, model.MaxTimeout)
	}
	l.count("faults", len(s.Faults), model.MaxFaults, "faults", "scripted faults and operations")
	var steps time.Duration
	for i, f := range s.Faults {
		path := fmt.Sprintf("faults[%d].", i)
		l.dur(path+"duration", f.Duration, 0, model.MaxHorizon)
		if f.On != nil {
			l.dur(path+"on.delay", f.On.Delay, 0, model.MaxHorizon)
		}
		if f.Step != nil {
			st := time.Duration(*f.Step)
			l.offset(path+"step", st)
			steps += min(max(st, -model.MaxClockOffset), model.MaxClockOffset).Abs()
		}
		if f.Rate != nil {
			l.rate(path+"rate", *f.Rate)
		}
		if f.Name != "" && !validLabel(f.Name) {
			l.add(path+"name", "%s: want one line of at most %d printable characters", quote(f.Name), maxLabel)
		}
	}
	if steps > model.MaxClockOffset {
		l.add("faults", "clock steps add up to %v; allowed: at most %s", steps, human(model.MaxClockOffset))
	}
	return l.errs
}

func (l *limits) controlPlane(cp *ControlPlaneSpec) {
	l.count("controlPlane.masters", len(cp.Masters), model.MaxMasters, "masters", "control planes have 1, 3 or 5")
	if a := cp.APIServer; a != nil {
		p := "controlPlane.apiserver."
		for _, d := range []struct {
			name string
			v    Duration
		}{{"requestTimeout", a.RequestTimeout}, {"healthTimeout", a.HealthTimeout}, {"readyTimeout", a.ReadyTimeout}, {"watchCacheStaleAfter", a.WatchCacheStaleAfter},
			{"etcdKeepaliveTime", a.EtcdKeepaliveTime}, {"etcdKeepaliveTimeout", a.EtcdKeepaliveTimeout}, {"dialTimeout", a.DialTimeout}} {
			l.dur(p+d.name, d.v, model.MinTimeout, model.MaxTimeout)
		}
		l.dur(p+"initTime", a.InitTime, 0, model.MaxDelay)
		l.dur(p+"loopbackCost", a.LoopbackCost, 0, model.MaxDelay)
		l.num(p+"bootstrapReads", a.BootstrapReads, 1, model.MaxBootstrapReads)
		if rp := a.ReadinessProbe; rp != nil {
			l.dur(p+"readinessProbe.period", rp.Period, model.MinPeriod, model.MaxPeriod)
			l.dur(p+"readinessProbe.timeout", rp.Timeout, model.MinTimeout, model.MaxTimeout)
		}
		if lp := a.LivenessProbe; lp != nil {
			p += "livenessProbe."
			l.dur(p+"initialDelay", lp.InitialDelay, 0, model.MaxDelay)
			l.dur(p+"period", lp.Period, model.MinPeriod, model.MaxPeriod)
			l.dur(p+"timeout", lp.Timeout, model.MinTimeout, model.MaxTimeout)
			l.num(p+"failureThreshold", lp.FailureThreshold, 1, model.MaxThreshold)
		}
	}
	if k := cp.Kubelet; k != nil {
		l.dur("controlPlane.kubelet.restartBackOff", k.RestartBackOff, model.MinTimeout, model.MaxTimeout)
		// The kubelet's crashLoopBackOff.maxContainerRestartPeriod takes 1s to
		// 300s (KubeletConfiguration, v1beta1).
		if d := k.MaxRestartBackOff; d != 0 && (d.D() < time.Second || d.D() > model.DefaultMaxRestartBackoff) {
			l.add("controlPlane.kubelet.maxRestartBackOff", "%v out of range; allowed: 1s to %s (the kubelet's crashLoopBackOff.maxContainerRestartPeriod)",
				d.D(), human(model.DefaultMaxRestartBackoff))
		}
	}
	if ks := cp.KubernetesService; ks != nil {
		p := "controlPlane.kubernetesService."
		l.dur(p+"reconcileInterval", ks.ReconcileInterval, model.MinPeriod, model.MaxPeriod)
		l.dur(p+"leaseTTL", ks.LeaseTTL, time.Second, model.MaxDelay)
		if kp := ks.KubeProxy; kp != nil {
			l.dur(p+"kubeProxy.syncPeriod", kp.SyncPeriod, model.MinPeriod, model.MaxPeriod)
		}
	}
	if nl := cp.NodeLifecycle; nl != nil {
		p := "controlPlane.nodeLifecycle."
		if nl.LeaseDuration == 0 || nl.LeaseDuration >= Duration(time.Second) {
			l.dur(p+"leaseDuration", nl.LeaseDuration, time.Second, model.MaxDelay)
		}
		l.dur(p+"monitorPeriod", nl.MonitorPeriod, model.MinPeriod, model.MaxPeriod)
		l.dur(p+"gracePeriod", nl.GracePeriod, 0, model.MaxDelay)
		l.dur(p+"toleration", nl.Toleration, 0, model.MaxDelay)
		l.dur(p+"podStartDelay", nl.PodStartDelay, 0, model.MaxDelay)
		for _, r := range []struct {
			name string
			v    *float64
		}{{"evictionRate", nl.EvictionRate}, {"secondaryEvictionRate", nl.SecondaryEvictionRate}} {
			if r.v != nil && *r.v > model.MaxEvictionRate {
				l.add(p+r.name, "%g is out of range; allowed: 0 to %g nodes per second", *r.v, model.MaxEvictionRate)
			}
		}
		if nl.LargeClusterSize > model.MaxNodes {
			l.add(p+"largeClusterSize", "%d out of range; allowed: 0 to %d", nl.LargeClusterSize, model.MaxNodes)
		}
	}
	if lb, name := cp.lb(); lb != nil {
		p := "controlPlane." + name + "."
		l.count(p+"hosts", len(lb.Hosts), model.MaxLBHosts, "hosts", "a keepalived group has two or three")
		l.dur(p+"inter", lb.Inter, model.MinPeriod, model.MaxPeriod)
		l.dur(p+"advertInterval", lb.AdvertInterval, model.MinPeriod, model.MaxPeriod)
		for _, d := range []struct {
			name string
			v    Duration
		}{{"timeoutCheck", lb.TimeoutCheck}, {"timeoutConnect", lb.TimeoutConnect}, {"timeoutServer", lb.TimeoutServer}, {"timeoutClient", lb.TimeoutClient},
			{"failTimeout", lb.FailTimeout}, {"proxyConnectTimeout", lb.ProxyConnectTimeout}, {"proxyTimeout", lb.ProxyTimeout}, {"nextUpstreamTimeout", lb.NextUpstreamTimeout}} {
			l.dur(p+d.name, d.v, model.MinTimeout, model.MaxTimeout)
		}
		l.num(p+"fall", lb.Fall, 1, model.MaxThreshold)
		l.num(p+"maxFails", lb.MaxFails, 1, model.MaxThreshold)
		l.num(p+"nextUpstreamTries", lb.NextUpstreamTries, 1, model.MaxThreshold)
		l.num(p+"rise", lb.Rise, 1, model.MaxThreshold)
		if cs := lb.CheckScript; cs != nil {
			l.dur(p+"checkScript.interval", cs.Interval, model.MinPeriod, model.MaxPeriod)
			l.num(p+"checkScript.fall", cs.Fall, 1, model.MaxThreshold)
			l.num(p+"checkScript.rise", cs.Rise, 1, model.MaxThreshold)
		}
	}
}

// checkLELimits reports leader-election timings out of range.
func checkLELimits(le *LeaderElectionSpec, path string) ErrorList {
	var l limits
	l.dur(path+".leaseDuration", le.LeaseDuration, model.MinPeriod, model.MaxDelay)
	l.dur(path+".renewDeadline", le.RenewDeadline, model.MinPeriod, model.MaxDelay)
	l.dur(path+".retryPeriod", le.RetryPeriod, model.MinPeriod, model.MaxPeriod)
	l.dur(path+".startDelay", le.StartDelay, 0, model.MaxDelay)
	l.dur(path+".exitFlush", le.ExitFlush, 0, model.MaxDelay)
	return l.errs
}

// checkWork reports a scenario whose periodic work exceeds
// model.MaxRequestRate, naming its parts.
func (s *Spec) checkWork() *FieldError {
	cfg := (&Scenario{Spec: *s}).Config()
	total, parts := cfg.RequestRate()
	if total <= model.MaxRequestRate {
		return nil
	}
	// Merge the probes into one part, listed first, then the rest in the
	// order RequestRate gives them.
	var probes float64
	var list []string
	for _, p := range parts {
		if strings.HasPrefix(p.What, "probe ") {
			probes += p.Rate
		}
	}
	if probes > 0 {
		list = append(list, fmt.Sprintf("probes %.0f", probes))
	}
	for _, p := range parts {
		if !strings.HasPrefix(p.What, "probe ") {
			list = append(list, fmt.Sprintf("%s %.0f", p.What, p.Rate))
		}
	}
	return &FieldError{Msg: fmt.Sprintf("asks for %.0f periodic requests per simulated second (%s); allowed: at most %.0f: lengthen the periods or simulate fewer probes or nodes",
		total, strings.Join(list, ", "), model.MaxRequestRate)}
}

// maxLabel bounds free-text labels (fault names).
const maxLabel = 100

// validLabel: one line of printable characters, not too long.
func validLabel(s string) bool {
	n := 0
	for _, r := range s {
		n++
		if !unicode.IsPrint(r) || n > maxLabel {
			return false
		}
	}
	return true
}
