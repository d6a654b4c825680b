package scenarios

import (
	"regexp"
	"strings"
	"testing"
)

func explainDoc(t *testing.T, doc string) string {
	t.Helper()
	s, err := Load("t.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := Explain(s)
	if err != nil {
		t.Fatal(err)
	}
	return ex.String()
}

// explain shows the knobs of the load balancer's kind only, with their
// values and sources, and the join settings the Kubernetes version picks.
func TestExplainPerKind(t *testing.T) {
	vip := explainDoc(t, strings.Replace(libraryDoc(t, "lb-vip-pair"), "{kind: keepalived, hosts: [lb-1, lb-2]}",
		"{kind: keepalived, hosts: [lb-1, lb-2], priorities: [120, 100], checkScript: {weight: 0}, timeoutServer: 30s}", 1))
	for _, want := range []string{
		`loadBalancer.priorities +\[120 100\] +scenario file`,
		`loadBalancer.checkScript +every 3s, fall 10, rise 2, weight 0 scenario file`,
		`loadBalancer.timeoutServer +30s +scenario file`,
		`loadBalancer.timeoutConnect +5s +default:`,
		`loadBalancer.backup +none +default: none: every master a primary server`,
		`apiserver.livenessProbe +after 10s, every 10s, timeout 15s, 8 failures default:`,
	} {
		if !regexp.MustCompile(want).MatchString(vip) {
			t.Errorf("keepalived: no %q in\n%s", want, vip)
		}
	}
	haproxy := explainDoc(t, libraryDoc(t, "stacked-3-master-crash"))
	if strings.Contains(haproxy, "advertInterval") || strings.Contains(haproxy, "priorities") || !strings.Contains(haproxy, "loadBalancer.inter") {
		t.Errorf("haproxy shows keepalived knobs, or not its own:\n%s", haproxy)
	}
	kubeVIP := explainDoc(t, strings.Replace(libraryDoc(t, "lb-vip-pair"), "{kind: keepalived, hosts: [lb-1, lb-2]}", "{kind: kube-vip}", 1))
	if strings.Contains(kubeVIP, "loadBalancer.inter") || !strings.Contains(kubeVIP, "loadBalancer.leaderElection     15s/10s/2s, start 2s, exit 0s") {
		t.Errorf("kube-vip shows proxy knobs, or not its lease timing:\n%s", kubeVIP)
	}
	svc := explainDoc(t, libraryDoc(t, "in-cluster-master-crash-lb-address"))
	if !regexp.MustCompile(`kubernetesService.advertiseAddress +load-balancer +scenario file`).MatchString(svc) ||
		!regexp.MustCompile(`kubernetesService.leaseTTL +15s +default`).MatchString(svc) || strings.Contains(haproxy, "kubernetesService") {
		t.Errorf("the kubernetes Service's settings not shown, or shown without it:\n%s", svc)
	}
	grow := explainDoc(t, libraryDoc(t, "grow-1-to-3-masters"))
	old := explainDoc(t, strings.Replace(libraryDoc(t, "grow-1-to-3-masters"), `kubernetesVersion: "1.33"`, `kubernetesVersion: "1.28"`, 1))
	if !strings.Contains(grow, "learner, promoted once in sync") || !strings.Contains(old, "voter at once") {
		t.Errorf("join mode by version not shown:\n%s\n%s", grow, old)
	}
	if !strings.Contains(grow, "master-3       zone-c   etcd-3, kubelet-master-3") || !strings.Contains(grow, "(joins later") {
		t.Errorf("joining host not marked:\n%s", grow)
	}
}

// explain shows a cloud load balancer's preset with its provider's
// documentation as the source, and what the scenario overrides.
func TestExplainCloudLB(t *testing.T) {
	gcp := explainDoc(t, strings.Replace(libraryDoc(t, "lb-cloud-master-crash"), "provider: aws", "provider: gcp, check: http, unhealthyConnections: close", 1))
	for _, re := range []string{
		`loadBalancer.provider +gcp +scenario file`,
		`loadBalancer.check +http +scenario file`,
		`loadBalancer.interval +5s +default: Google Cloud health check checkIntervalSec 5`,
		`loadBalancer.unhealthyThreshold +2 +default: Google Cloud health check unhealthyThreshold 2`,
		`loadBalancer.unhealthyConnections +close +scenario file`,
		`loadBalancer.failOpen +true +default: Google Cloud passthrough NLB`,
		`cloud-lb +\(managed\) +gcp-nlb`,
	} {
		if !regexp.MustCompile(re).MatchString(gcp) {
			t.Errorf("gcp: no %q in\n%s", re, gcp)
		}
	}
	aws := explainDoc(t, strings.Replace(libraryDoc(t, "lb-cloud-master-crash"), "provider: aws", "provider: aws, check: http", 1))
	if !regexp.MustCompile(`loadBalancer.timeout +6s +default: AWS NLB HealthCheckTimeoutSeconds`).MatchString(aws) || strings.Contains(aws, "loadBalancer.inter ") {
		t.Errorf("aws with an HTTP check: want its 6 s timeout and no HAProxy knobs:\n%s", aws)
	}
}

// explain shows the backup servers and HAProxy's options for them, with
// their sources; nginx's backup servers without HAProxy's options.
func TestExplainBackup(t *testing.T) {
	doc := libraryDoc(t, "lb-long-lived-isolated-master")
	haproxy := explainDoc(t, strings.Replace(doc, "{kind: haproxy, hosts: [lb]}", "{kind: haproxy, hosts: [lb], backup: [master-3], shutdownBackupSessions: true}", 1))
	for _, re := range []string{
		`loadBalancer.backup +master-3 +scenario file`,
		`loadBalancer.allBackups +false +default: off: only the first UP backup server takes connections \(HAProxy option allbackups\)`,
		`loadBalancer.shutdownBackupSessions +true +scenario file`,
	} {
		if !regexp.MustCompile(re).MatchString(haproxy) {
			t.Errorf("haproxy: no %q in\n%s", re, haproxy)
		}
	}
	nginx := explainDoc(t, strings.Replace(doc, "{kind: haproxy, hosts: [lb]}", "{kind: nginx, hosts: [lb], backup: [master-2, master-3]}", 1))
	if !regexp.MustCompile(`loadBalancer.backup +master-2, master-3 +scenario file`).MatchString(nginx) || strings.Contains(nginx, "allBackups") {
		t.Errorf("nginx: want its backup servers and none of HAProxy's options for them:\n%s", nginx)
	}
}
