# weave: build, test, demo, lint, bench, install.
# `make demo` and `make test` install what is missing on a fresh Debian machine (as root).

SHELL     := /bin/bash
GO        ?= go
BIN       := bin/weave
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
GOBIN     := $(shell $(GO) env GOPATH)/bin
STATICCHECK_VERSION := v0.8.2
DEBS      := docker.io busybox-static iproute2 nftables iperf3 iptables etcd-server
# Go packages whose tests need no root and no network namespaces.
UNIT_PKGS := $(shell $(GO) list ./... 2>/dev/null | grep -v /integration)

.PHONY: all build test unit integration demo lint bench install deps debs tools clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/weave

# deps installs the Debian packages and Go tools the tests, the demo and the lint need.
deps: debs tools

debs:
	@missing=""; for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
	@# Debian's docker.io must not start a dockerd in the machine's own namespace.
	@if pgrep -x dockerd >/dev/null && [ "$$(readlink /proc/$$(pgrep -xo dockerd)/ns/net)" = "$$(readlink /proc/1/ns/net)" ]; then \
		echo "note: a dockerd runs in the root network namespace; the tests do not use it"; fi

tools:
	@test -x $(GOBIN)/staticcheck || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

test: deps build lint unit integration

unit:
	$(GO) test -count=1 -timeout 10m $(UNIT_PKGS)

# integration runs the multi-host tests: namespaces, real dockerd, real kernel devices.
integration: build
	WEAVE_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -p 1 -timeout 30m -v ./integration/... 2>&1 | \
		tee integration.log | grep -E '^(=== RUN|--- |PASS|FAIL|ok|panic)' ; \
		exit $${PIPESTATUS[0]}

demo: deps build
	$(GO) run ./integration/demo -weave $(CURDIR)/$(BIN)

lint: tools
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt-clean:"; echo "$$out"; exit 1; fi
	@# Lines within 100 columns, tabs counted as 4 (STYLE.md).
	@out=$$(for f in $$(git ls-files '*.go'); do expand -t 4 $$f | awk -v f=$$f 'length > 100 {print f": line " NR}'; done); \
		if [ -n "$$out" ]; then echo "lines over 100 columns:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GOBIN)/staticcheck ./...

# bench runs the Go benchmarks (each prints its ratio to a baseline run beside it), the
# data-path benchmark (weave against a veth pair and Docker's bridge, in one run) and the
# store benchmark (our 3-voter store against a 3-member real etcd, in one run), on our
# default Raft log (store/wal) and on raft-boltdb's.
bench: deps build
	$(GO) test -run '^$$' -bench . -benchtime 2s $(UNIT_PKGS)
	$(GO) run ./integration/netbench -weave $(CURDIR)/$(BIN)
	$(GO) run ./store/bench/cmd
	$(GO) run ./store/bench/cmd -raft-log boltdb

install: build
	install -m 0755 $(BIN) /usr/local/bin/weave

clean:
	rm -rf bin integration.log
