# The two commands of the README, and the rest of the developer loop.
#   make run    install what is missing, build, migrate, serve the demo on :8080
#   make test   install what is missing, build, run every test: end-to-end on the
#               release build, then all under ASan/UBSan, then the fuzzers
#   make bench  HTTP benchmark against nginx (see docs/benchmarks.md; also
#               bench-ingest, bench-store, bench-query)
#   make fmt    clang-format every C++ file

RELEASE_DIR := build/release
SANITIZE_DIR := build/sanitize
CTEST_FLAGS := --output-on-failure --timeout 300 -j 2

.PHONY: run test test-end-to-end test-release test-sanitize test-fuzz bench fmt build \
  configure-release clean

# One release build tree for run, test and bench (configured the same way,
# so switching between them never rebuilds); `build` compiles only the binary.
configure-release:
	scripts/install-deps test
	cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DCDP_BUILD_TESTS=ON

build: configure-release
	cmake --build $(RELEASE_DIR) --target cdp

run: build
	scripts/run-demo $(RELEASE_DIR)/cdp

# Every test runs once with assertions and sanitizers on (test-sanitize); the
# tests that run the `cdp` binary as users do run also against the optimized
# build that ships. Building and running the unit tests a second time, in the
# release tree, would add a third to the time of `make test` and catch little
# that the sanitizers miss; `make test-release` still does it.
test: test-end-to-end test-sanitize test-fuzz

# The release binary end to end (black-box and crash tests), and every
# benchmark compiled so none rots.
test-end-to-end: configure-release
	cmake --build $(RELEASE_DIR) --target cdp cdp_blackbox_test cdp_crash_test benchmarks
	ctest --test-dir $(RELEASE_DIR) $(CTEST_FLAGS) -L end-to-end

# All tests on the release build.
test-release: configure-release
	cmake --build $(RELEASE_DIR)
	ctest --test-dir $(RELEASE_DIR) $(CTEST_FLAGS)

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer,
# with assertions on: -O1 keeps it quick, line tables (-g1) give the stacks
# file:line at a third less compile time than full debug information, and no
# benchmarks.
test-sanitize:
	scripts/install-deps test
	cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
	  -DCDP_SANITIZE=ON -DCDP_BUILD_TESTS=ON -DCDP_BUILD_BENCHMARKS=OFF
	cmake --build $(SANITIZE_DIR)
	ctest --test-dir $(SANITIZE_DIR) $(CTEST_FLAGS)

# libFuzzer on the ingestion request parsers and the event-log codec (clang,
# ASan + UBSan, own tree build/fuzz), FUZZ_SECONDS of fuzzing (default 60); a
# crash fails it and names the reproducer (see fuzz/README.md).
test-fuzz:
	scripts/install-deps test
	fuzz/run

bench: build
	scripts/install-deps bench
	bench/http/run $(RELEASE_DIR)/cdp

fmt:
	scripts/install-deps fmt
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf build

# Ingestion throughput (bench/ingest/run): /v1/batch and /v1/track against /health, durable and async.
.PHONY: bench-ingest
bench-ingest: build
	scripts/install-deps bench
	bench/ingest/run $(RELEASE_DIR)/cdp

# The event store against SQLite and ClickHouse (bench/store/run): load rate,
# bytes on disk per event and two queries on 10 M `cdp gen` events.
.PHONY: bench-store
bench-store: build
	cmake --build $(RELEASE_DIR) --target cdp_store_bench
	scripts/install-deps bench
	bench/store/run $(RELEASE_DIR)/cdp $(RELEASE_DIR)/cdp_store_bench

# The analyses of the query API against ClickHouse (bench/query/run): funnel,
# retention, trends, sessions and an explorer page on 10 M `cdp gen` events;
# the answers must agree.
.PHONY: bench-query
bench-query: build
	cmake --build $(RELEASE_DIR) --target cdp_store_bench cdp_query_bench
	scripts/install-deps bench
	bench/query/run $(RELEASE_DIR)/cdp $(RELEASE_DIR)/cdp_store_bench $(RELEASE_DIR)/cdp_query_bench

# Identity stitching (bench/identity/run): resolution throughput against the
# event loader, profile lookup latency, and the funnel with and without
# person resolution, on 10 M `cdp gen` events.
.PHONY: bench-identity
bench-identity: build
	cmake --build $(RELEASE_DIR) --target cdp_store_bench cdp_query_bench cdp_identity_bench
	bench/identity/run $(RELEASE_DIR)/cdp $(RELEASE_DIR)/cdp_store_bench \
	  $(RELEASE_DIR)/cdp_query_bench $(RELEASE_DIR)/cdp_identity_bench
