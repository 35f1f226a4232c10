# SwiftLXD: `make demo` sets up this machine and runs the main job; `make test` runs every test.
.PHONY: setup build demo test clean

setup:
	./scripts/setup-host.sh

build: setup
	swift build -c release

demo: build
	./scripts/demo.sh

test:
	./scripts/test.sh

clean:
	rm -rf .build
