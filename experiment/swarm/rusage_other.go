//go:build !unix

package swarm

// maxRSS is unknown on this platform.
func maxRSS() uint64 { return 0 }
