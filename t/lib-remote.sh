# Fixtures of the remote tests (t6xxx): a source workspace, random trees.

# source_workspace DIR: a workspace with two containers, default (/etc/motd,
# a branch dev, a tag v1) and web (/srv/index.html), one commit each.
source_workspace () {
	hako init -q "$1" &&
	hako -C "$1" write /etc/motd "hello" &&
	hako -C "$1" commit -q -m motd &&
	hako -C "$1" branch dev &&
	hako -C "$1" tag -m "first" v1 &&
	hako -C "$1" new-container web &&
	hako -C "$1" -c web write /srv/index.html "<h1>hi</h1>" &&
	hako -C "$1" -c web commit -q -m index
}

# random_tree DIR SEED [N]: N (10) x 10 directories of 20 files of 1 KiB of random bytes.
random_tree () {
	python3 - "$1" "$2" "${3:-10}" <<-\PY
	import os, random, sys
	r = random.Random(int(sys.argv[2]))
	for a in range(int(sys.argv[3])):
	    for b in range(10):
	        d = os.path.join(sys.argv[1], "d%d" % a, "sub%d" % b)
	        os.makedirs(d, exist_ok=True)
	        for c in range(20):
	            with open(os.path.join(d, "f%d" % c), "wb") as f:
	                f.write(bytes(r.getrandbits(8) for _ in range(1024)))
	PY
}

# refs_workspace DIR: a history of empty trees, c1 (one) and its child c2
# (two); main at c2, dev at c1, the annotated tag v1 ("version one") on c1.
# Sets c1 and c2.
refs_workspace () {
	test_tick &&
	hako init -q --empty "$1" &&
	c1=$(hako -C "$1" commit-tree -m one "$EMPTY_TREE") &&
	c2=$(hako -C "$1" commit-tree -m two -p "$c1" "$EMPTY_TREE") &&
	hako -C "$1" update-ref refs/heads/main "$c2" &&
	hako -C "$1" update-ref refs/heads/dev "$c1" &&
	hako -C "$1" tag -m "version one" v1 "$c1"
}
