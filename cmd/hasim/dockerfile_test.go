package main

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDockerfile checks the image hasim sweep job runs without a container
// runtime (CI has none): the build stage's command builds a static binary
// (the final stage, distroless/static, has no C library or loader), the
// final stage copies it where the entry point looks, and the binary runs
// what the Job's pods give it as arguments.
func TestDockerfile(t *testing.T) {
	src, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(src)
	build := regexp.MustCompile(`(?m)^RUN (CGO_ENABLED=0 go build .* -o (\S+) (\./cmd/hasim))$`).FindStringSubmatch(df)
	if build == nil {
		t.Fatalf("no RUN CGO_ENABLED=0 go build ... -o OUT ./cmd/hasim in the Dockerfile")
	}
	out := build[2]
	copyLine := regexp.MustCompile(`(?m)^COPY --from=build (\S+) (\S+)$`).FindStringSubmatch(df)
	entry := regexp.MustCompile(`(?m)^ENTRYPOINT \["([^"]+)"\]$`).FindStringSubmatch(df)
	switch {
	case copyLine == nil || copyLine[1] != out:
		t.Errorf("the final stage does not copy the built %s: %v", out, copyLine)
	case entry == nil || entry[1] != copyLine[2]:
		t.Errorf("the entry point %v is not the copied binary %s", entry, copyLine[2])
	}
	if !regexp.MustCompile(`(?m)^FROM \S*distroless/static\S*`).MatchString(df) {
		t.Error("the final stage is not distroless/static")
	}

	// The build stage's command, run here by a shell as RUN runs it,
	// writing where this test looks.
	bin := filepath.Join(t.TempDir(), "hasim")
	line := strings.Replace(build[1], "-o "+out, "-o "+bin, 1)
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir = "../.."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", line, err, b)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Fatalf("the image's binary is not static: it has a %v program header", p.Type)
		}
	}
	// A pod runs the entry point with the Job's arguments (sweep FILE
	// --shards N --resume --workers W): here, sweep's help.
	var stdout bytes.Buffer
	help := exec.Command(bin, "sweep", "--help")
	help.Stdout = &stdout
	if err := help.Run(); err != nil || !strings.Contains(stdout.String(), "--shards") {
		t.Fatalf("the image's binary, asked sweep --help: %v\n%s", err, stdout.String())
	}
}
