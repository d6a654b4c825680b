package etcd

import (
	"time"

	"hasim/model/fabric"
)

// EtcdClient is a client of etcd's Cluster API and KV, as etcdctl or
// kubeadm's etcd client is: a process that sends each request to the
// members it knows (round-robin, with clientv3's gRPC keepalive) and
// reports the answer. Membership requests are not retried on another
// member after an error; a refused connection moves on to the next one.
type EtcdClient struct {
	Name string
	Proc *fabric.Process

	e     *Etcd
	rpc   *fabric.RPCClient
	calls []clientCall
	tag   uint64
	// onStop, if set, runs when the client's process stops (its host
	// went down): the answers it waited for will not come.
	OnStop func()
}

// etcdctl's gRPC keepalive: a ping after 2 s of silence, and a connection
// declared dead 6 s after an unanswered one.
const (
	DefaultClientKeepaliveTime    = 2 * time.Second
	DefaultClientKeepaliveTimeout = 6 * time.Second
)

type clientCall struct {
	tag  uint64
	done func(err string)
}

// NewClient adds a client process on host that talks to endpoints, and
// starts it. Call it once the run is built.
func (e *Etcd) NewClient(name string, host *fabric.Host, endpoints ...*Member) *EtcdClient {
	k := &EtcdClient{Name: name, e: e}
	k.Proc = e.w.AddProcess(name, fabric.RoleClient, host, k)
	servers := make([]*fabric.Process, len(endpoints))
	for i, m := range endpoints {
		servers[i] = m.Proc
	}
	k.rpc = fabric.NewRPCClient(k.Proc, name, servers, DefaultClientKeepaliveTime, DefaultClientKeepaliveTimeout, k.finished)
	k.Proc.Enable()
	k.Proc.Start()
	return k
}

// Start implements Handler.
func (k *EtcdClient) Start() { k.rpc.Start() }

// Stop implements Handler: requests in flight are forgotten, unanswered.
func (k *EtcdClient) Stop() {
	k.calls = k.calls[:0]
	if k.OnStop != nil {
		k.OnStop()
	}
}

// Deliver implements Handler.
func (k *EtcdClient) Deliver(msg *fabric.Message) { k.rpc.Deliver(msg) }

// Do sends req (a MsgClientMember from Etcd.MemberRequest, or a
// MsgClientWrite) with a deadline and calls done with the answer: "" on
// success, else etcd's error or the client's own ("context deadline
// exceeded").
func (k *EtcdClient) Do(req fabric.Message, timeout time.Duration, done func(err string)) {
	k.tag++
	k.calls = append(k.calls, clientCall{tag: k.tag, done: done})
	k.rpc.Call(k.tag, req, timeout, false)
}

// MemberAdd asks to add target, as a learner or a voting member (etcdctl
// member add [--learner]).
func (k *EtcdClient) MemberAdd(target *Member, learner bool, why string, timeout time.Duration, done func(err string)) {
	kind := OpMemberAdd
	if learner {
		kind = OpMemberAddLearner
	}
	k.Do(k.e.MemberRequest(kind, target, why), timeout, done)
}

// MemberPromote asks to promote the learner target (etcdctl member promote).
func (k *EtcdClient) MemberPromote(target *Member, why string, timeout time.Duration, done func(err string)) {
	k.Do(k.e.MemberRequest(OpMemberPromote, target, why), timeout, done)
}

// MemberRemove asks to remove target (etcdctl member remove).
func (k *EtcdClient) MemberRemove(target *Member, why string, timeout time.Duration, done func(err string)) {
	k.Do(k.e.MemberRequest(OpMemberRemove, target, why), timeout, done)
}

func (k *EtcdClient) finished(tag uint64, _ *fabric.Message, err string) {
	for i, cl := range k.calls {
		if cl.tag == tag {
			k.calls = append(k.calls[:i], k.calls[i+1:]...)
			if cl.done != nil {
				cl.done(err)
			}
			return
		}
	}
}
