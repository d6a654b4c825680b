package kube

import (
	"time"

	"hasim/model/etcd"
	"hasim/model/fabric"
)

// Kubernetes' messages: requests to a kube-apiserver and their replies,
// and VRRP's advertisements between load-balancer hosts.
const (
	// MsgAPIRequest: a request to a kube-apiserver (APIMsg).
	MsgAPIRequest fabric.MsgType = 32 | fabric.Request | fabric.APICall
	// MsgAPIReply: its answer; Err empty on success.
	MsgAPIReply fabric.MsgType = 33 | fabric.Reply
	// MsgVRRPAdvert: a VRRP advertisement (a multicast datagram; Advert).
	MsgVRRPAdvert fabric.MsgType = 34 | fabric.Datagram
)

// Verb is what an API request asks of a kube-apiserver.
type Verb uint8

const (
	// VerbGet reads an object from etcd (resourceVersion "": a quorum read).
	VerbGet Verb = iota + 1
	// VerbGetCached reads from the watch cache (resourceVersion "0").
	VerbGetCached
	// VerbWrite creates, updates or puts an object (Op).
	VerbWrite
	// VerbReadyz and VerbLivez ask for /readyz and /livez.
	VerbReadyz
	VerbLivez
	// VerbWatchGet is what an informer sees of an object: the watch
	// cache's copy (the apiserver's etcd member's applied state), served
	// while the cache is fresh.
	VerbWatchGet
)

// APIMsg is an API request (Verb on the object Op names, Op the write of
// VerbWrite) or its reply (the object, its resourceVersion, whether it
// exists).
type APIMsg struct {
	pool  *fabric.Pool[APIMsg]
	Verb  Verb
	Op    etcd.Op
	Val   etcd.LeaseRecord
	Rev   uint64
	Found bool
}

// Copy implements Body.
func (b *APIMsg) Copy() fabric.Body { return b.pool.Copy(b) }

// Free implements Body.
func (b *APIMsg) Free() { b.pool.Put(b) }

// apiBody is the APIMsg of an API message (zero for a refusal or an error
// reply, which carry none).
func apiBody(m *fabric.Message) APIMsg {
	if m == nil {
		return APIMsg{}
	}
	if b, ok := m.Body.(*APIMsg); ok {
		return *b
	}
	return APIMsg{}
}

// Advert is a VRRP advertisement: the sender's priority.
type Advert struct {
	pool     *fabric.Pool[Advert]
	Priority int
}

// Copy implements Body.
func (b *Advert) Copy() fabric.Body { return b.pool.Copy(b) }

// Free implements Body.
func (b *Advert) Free() { b.pool.Put(b) }

// apiRequests holds the body of the API request a client is sending and
// the pool its copies come from.
type apiRequests struct {
	req  APIMsg
	pool fabric.Pool[APIMsg]
}

// Trim implements fabric.Trimmer (see fabric.Pool.Trim).
func (r *apiRequests) Trim() { r.pool.Trim() }

// call sends an API request through c (see rpcClient.call).
func (r *apiRequests) call(c *fabric.RPCClient, tag uint64, verb Verb, op etcd.Op, timeout time.Duration, retry bool) uint64 {
	r.req = APIMsg{pool: &r.pool, Verb: verb, Op: op}
	return c.Call(tag, fabric.Message{Type: MsgAPIRequest, Body: &r.req}, timeout, retry)
}
