# hako — build, test, bench, install.
PREFIX ?= /usr/local
CARGO ?= cargo
PROVE ?= prove
JOBS ?= 2

.PHONY: all build dist test unit-test doc shell-test bench fuzz install clean completions man

all: build

build:
	$(CARGO) build --release --locked

# The binary to install and measure (Cargo.toml, [profile.dist]), its
# start-up functions laid out together (contrib/start-order.sh); a linker
# without --symbol-ordering-file (GNU ld) links it without the order.
ORDER = -C link-arg=-Wl,--symbol-ordering-file=$(CURDIR)/contrib/start-order.txt \
	-C link-arg=-Wl,--no-warn-symbol-ordering
dist:
	$(CARGO) rustc --profile dist --locked --bin hako -- $(ORDER) || \
		$(CARGO) rustc --profile dist --locked --bin hako

test: build unit-test doc shell-test

# The unit tests also build the examples (examples/library runs in t0050).
unit-test:
	$(CARGO) test --release --locked

# The library's documentation, without a warning (missing_docs in facade).
doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --locked

# A script that hangs is killed after 10 minutes (and reported as failed)
# rather than holding the whole run until CI's own limit.
shell-test: build
	cd t && HAKO_BUILD_DIR=$(CURDIR)/target/release $(PROVE) -j$(JOBS) --timer \
		--exec 'timeout -k 10 600 sh' t[0-9]*.sh

bench: dist
	$(CARGO) build --release --locked --example fuse_floor
	HAKO=$(CURDIR)/target/dist/hako ./bench/run.sh

# Every fuzz target for FUZZ_TIME seconds, one after the other (nightly and
# cargo-fuzz; fuzz/run.sh). `make test` replays the committed corpora only.
FUZZ_TIME ?= 3600
fuzz:
	FUZZ_TIME=$(FUZZ_TIME) fuzz/run.sh

install: dist
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 target/dist/hako $(DESTDIR)$(PREFIX)/bin/hako
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 contrib/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 contrib/completions/hako.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/hako

clean:
	$(CARGO) clean
	rm -rf t/trash\ directory.* bench/work

# Regenerate the checked-in shell completions (t3500 checks they are current).
completions: build
	target/release/hako completions bash >contrib/completions/hako.bash
	target/release/hako completions zsh >contrib/completions/_hako
	target/release/hako completions fish >contrib/completions/hako.fish

# Regenerate the checked-in man pages (t3500 checks they are current).
man: build
	rm -rf contrib/man && target/release/hako manpages contrib/man
