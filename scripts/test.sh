#!/bin/sh
# Builds and runs every test: unit tests and the integration tests, which start real daemons
# in private LXD_DIRs and drive them through Debian's lxc (they need root).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/setup-host.sh"
swift format lint --strict -r Sources Tests
swift build --build-tests
# Unit tests first, then the integration tests in their own run: the latter block their test
# threads on real daemons and clients, which would starve the unit tests' async work.
swift test --skip-build --skip IntegrationTests
swift test --skip-build --filter IntegrationTests
# The benchmark's smoke run: our daemon only, a few iterations of every step, on the debug build
# just made; it fails on any failed step and asserts no timings (scripts/benchmark.sh).
BENCH_CONFIG=debug BENCH_OUT="$top/.build/benchmark-smoke" "$top/scripts/benchmark.sh" --smoke >/dev/null
