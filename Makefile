# The README's two commands: `go run ./cmd/hongyan demo` and `make test`.
GO ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME ?= 3s

.PHONY: test unit lint fuzz build bench demo

build:
	$(GO) build -o hongyan ./cmd/hongyan

# Every test: formatting, vet, staticcheck, the whole suite (SQLite and
# PostgreSQL stores, real TCP to simulators) and each fuzz target briefly.
test: lint unit fuzz

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

unit:
	$(GO) test -race -count=1 -timeout 12m ./...

fuzz:
	FUZZTIME=$(FUZZTIME) ./scripts/fuzz-all.sh

bench:
	$(GO) run ./cmd/hongyan bench --mode single --duration 15s
	$(GO) run ./cmd/hongyan bench --mode batch --duration 15s

demo:
	$(GO) run ./cmd/hongyan demo
