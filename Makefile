# hako — build, test, bench, install.
PREFIX ?= /usr/local
CARGO ?= cargo
PROVE ?= prove
JOBS ?= 2

.PHONY: all build test unit-test shell-test bench install clean completions

all: build

build:
	$(CARGO) build --release --locked

test: build unit-test shell-test

unit-test:
	$(CARGO) test --release --locked

shell-test: build
	cd t && HAKO_BUILD_DIR=$(CURDIR)/target/release $(PROVE) -j$(JOBS) --timer t[0-9]*.sh

bench: build
	./bench/run.sh

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 target/release/hako $(DESTDIR)$(PREFIX)/bin/hako

clean:
	$(CARGO) clean
	rm -rf t/trash\ directory.* bench/work

# Regenerate the checked-in shell completions (t3500 checks they are current).
completions: build
	target/release/hako completions bash >contrib/completions/hako.bash
	target/release/hako completions zsh >contrib/completions/_hako
	target/release/hako completions fish >contrib/completions/hako.fish
