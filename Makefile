# hasim: see README.md. Every target works on a fresh clone with Go 1.26.
GO        ?= go
BIN       ?= bin/hasim
SCENARIO  ?= stacked-3-master-crash
FUZZTIME  ?= 30s
BENCHCOUNT ?= 6
N         ?= 10000
SEED      ?= 1
BENCHSTAT := $(GO) run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

.PHONY: run build test verify update fuzz fuzz-run swarm bench calibrate clean

## run: build hasim and run the built-in default scenario (narrated timeline and summary)
run: build
	./$(BIN) run $(SCENARIO)

## build: build the hasim binary into bin/
build:
	$(GO) build -trimpath -o $(BIN) ./cmd/hasim

## test: formatting, vet, and every test (what CI runs)
test: verify
	$(GO) test -count=1 -timeout 30m ./...

## verify: gofmt and go vet
verify:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would rewrite: $$unformatted"; exit 1; fi
	$(GO) vet ./...

## update: rewrite golden files after a reviewed change of behaviour (the page's screenshot needs Chromium)
update:
	HASIM_UPDATE=1 $(GO) test -count=1 ./sim ./model ./scenarios ./cmd/hasim ./report/html -run 'Determinism|Golden|CompareIsDeterministic'

## fuzz: fuzz the scenario loader for FUZZTIME
fuzz:
	$(GO) test ./scenarios -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME)

## fuzz-run: fuzz what the loader accepts by running it (short horizon, invariants checked) for FUZZTIME
fuzz-run:
	$(GO) test ./scenarios -run '^$$' -fuzz '^FuzzRun$$' -fuzztime $(FUZZTIME)

## swarm: run N random valid scenarios of swarm seed SEED on every core; failures and minimal reproducers go to out/swarm/
swarm:
	$(GO) build -o bin/swarm ./experiment/swarm/cmd/swarm
	./bin/swarm -n $(N) -seed $(SEED) -out out/swarm

## bench: engine benchmarks W1/W2 against the limit program in the same run, model benchmarks, the closed form beside the simulated etcd quorum, years under failure processes with the fast-forward, and sweep throughput (2 workers vs 1) and memory (1,000 vs 100,000 runs)
bench:
	GO=$(GO) BENCHCOUNT=$(BENCHCOUNT) ./scripts/bench.sh
	GO=$(GO) ./scripts/sweep-bench.sh
	$(BENCHSTAT) out/bench/sim.txt

## clean: remove build and benchmark output
clean:
	rm -rf bin out
