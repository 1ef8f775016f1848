# Everyday targets; CI runs .ci/run, which does the same checks.
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
DATE      ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS   := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
# The release targets; .goreleaser.yaml builds the same (a test checks both).
PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
GOLANGCI_LINT_VERSION ?= v2.15.0

.PHONY: all build test test-short lint bench dist man clean

all: lint test

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o driftwatch ./cmd/driftwatch

test:
	$(GO) test ./...

test-short:
	$(GO) test -short ./...

lint:
	GOLANGCI_LINT_VERSION=$(GOLANGCI_LINT_VERSION) .ci/lint

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1s ./...

# Static binaries for every release platform, with the version flags, and
# their checksums.
dist:
	rm -rf dist/bin && mkdir -p dist/bin
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		out=dist/bin/driftwatch_$(VERSION)_$${os}_$${arch}$$ext; \
		echo "build $$out"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $$out ./cmd/driftwatch; \
	done
	cd dist/bin && sha256sum driftwatch_* > checksums.txt

# Man pages, one per command, generated from the cobra commands.
man:
	$(GO) run ./cmd/driftwatch man dist/man

clean:
	rm -rf dist driftwatch
