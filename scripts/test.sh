#!/bin/sh
# Builds and runs every test: unit tests and the integration tests, which start real daemons
# in private LXD_DIRs and drive them through Debian's lxc (they need root).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/setup-host.sh"
swift format lint --strict -r Sources Tests
swift build --build-tests
swift test --skip-build
