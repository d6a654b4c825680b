package scenarios

import (
	"os"
	"testing"
	"time"
)

func TestSlowDebug(t *testing.T) {
	data, _ := os.ReadFile("/tmp/slow.yaml")
	start := time.Now()
	err := Decode("x", data, new(scenario))
	t.Log(time.Since(start), err)
}
