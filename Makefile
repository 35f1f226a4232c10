# SwiftLXD: `make demo` sets up this machine and runs the main job; `make test` runs every test;
# `make benchmark` compares our daemon with Debian's LXD 5.0.2 (docs/BENCHMARKS.md).
.PHONY: setup build demo test benchmark clean

setup:
	./scripts/setup-host.sh

build: setup
	swift build -c release

demo: build
	./scripts/demo.sh

test:
	./scripts/test.sh

benchmark: setup
	./scripts/benchmark.sh

clean:
	rm -rf .build
