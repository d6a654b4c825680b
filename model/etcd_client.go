package model

import (
	"time"
)

// EtcdClient is a client of etcd's Cluster API and KV, as etcdctl or
// kubeadm's etcd client is: a process that sends each request to the
// members it knows (round-robin, with clientv3's gRPC keepalive) and
// reports the answer. Membership requests are not retried on another
// member after an error; a refused connection moves on to the next one.
type EtcdClient struct {
	Name string
	Proc *Process

	e     *Etcd
	rpc   *rpcClient
	calls []clientCall
	tag   uint64
	// onStop, if set, runs when the client's process stops (its host
	// went down): the answers it waited for will not come.
	onStop func()
}

type clientCall struct {
	tag  uint64
	done func(err string)
}

// NewClient adds a client process on host that talks to endpoints, and
// starts it. Call it once the run is built.
func (e *Etcd) NewClient(name string, host *Host, endpoints ...*Member) *EtcdClient {
	k := &EtcdClient{Name: name, e: e}
	k.Proc = e.w.AddProcess(name, RoleClient, host, k)
	servers := make([]*Process, len(endpoints))
	for i, m := range endpoints {
		servers[i] = m.Proc
	}
	k.rpc = newRPCClient(k.Proc, name, servers, DefaultProbeKeepaliveTime, DefaultProbeKeepaliveTimeout, k.finished)
	k.Proc.Enable()
	k.Proc.start()
	return k
}

// Start implements Handler.
func (k *EtcdClient) Start() { k.rpc.start() }

// Stop implements Handler: requests in flight are forgotten, unanswered.
func (k *EtcdClient) Stop() {
	k.calls = k.calls[:0]
	if k.onStop != nil {
		k.onStop()
	}
}

// Deliver implements Handler.
func (k *EtcdClient) Deliver(msg *Message) { k.rpc.deliver(msg) }

// Do sends req (a MsgClientMember from Etcd.MemberRequest, or a
// MsgClientWrite) with a deadline and calls done with the answer: "" on
// success, else etcd's error or the client's own ("context deadline
// exceeded").
func (k *EtcdClient) Do(req Message, timeout time.Duration, done func(err string)) {
	k.tag++
	k.calls = append(k.calls, clientCall{tag: k.tag, done: done})
	k.rpc.call(k.tag, req, timeout, false)
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

func (k *EtcdClient) finished(tag uint64, _ *Message, err string) {
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
