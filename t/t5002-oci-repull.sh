#!/bin/sh
test_description='pull again: work on top is never dropped, a stored image is not downloaded again, no identity needed'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-oci.sh

# blob_gets: how many blob downloads the registry's access log holds.
blob_gets () {
	grep -c "GET /v2/t/app/blobs/" reg/log || true
}

test_expect_success OCI 'setup: a registry logging its requests, version 1 of an image' '
	start_logged_registry reg &&
	R=127.0.0.1:$(cat reg/port) &&
	umoci init --layout img &&
	umoci new --image img:v1 &&
	umoci unpack --image img:v1 b >/dev/null &&
	mkdir -p b/rootfs/etc &&
	echo one >b/rootfs/etc/version &&
	umoci repack --image img:v1 b >/dev/null &&
	push img:v1 reg t/app:1 &&
	rm -rf b && umoci unpack --image img:v1 b >/dev/null &&
	echo two >b/rootfs/etc/version &&
	umoci repack --image img:v2 b >/dev/null &&
	hako init -q ws
'

test_expect_success OCI 'a pull in a fresh workspace needs no configured identity' '
	(
		unset HAKO_AUTHOR_NAME HAKO_AUTHOR_EMAIL HAKO_COMMITTER_NAME HAKO_COMMITTER_EMAIL &&
		hako -C ws pull -q --as app $R/t/app:1
	) &&
	hako -C ws -c app cat-file -p HEAD >c &&
	grep "^author " c &&
	grep "^Image-Digest: sha256:" c &&
	test "$(blob_gets)" -gt 0
'

test_expect_success OCI 'a re-pull of the same image with work on top downloads nothing and keeps the work' '
	printf "my work\n" | hako -C ws -c app write /etc/mine &&
	hako -C ws -c app commit -q -m "my work" &&
	hako -C ws -c app rev-parse HEAD >before &&
	n=$(blob_gets) &&
	hako -C ws pull --as app $R/t/app:1 >out &&
	grep "is up to date in container app (sha256:[0-9a-f]*, 1 commit of its own on top)" out &&
	d=$(hako -C ws -c app cat-file -p HEAD~1 | sed -n "s/^Image-Digest: //p") &&
	hako -C ws pull --as app "$R/t/app@$d" >out &&
	grep "is up to date in container app" out &&
	hako -C ws -c app rev-parse HEAD >after &&
	test_cmp before after &&
	test "$(blob_gets)" = "$n" &&
	echo "my work" >expect && hako -C ws -c app cat /etc/mine >actual &&
	test_cmp expect actual
'

test_expect_success OCI 'an image stored already (another container) is not downloaded again' '
	n=$(blob_gets) &&
	hako -C ws pull --as app2 $R/t/app:1 >out &&
	grep "the image is stored already" out &&
	test "$(blob_gets)" = "$n" &&
	echo one >expect && hako -C ws -c app2 cat /etc/version >actual &&
	test_cmp expect actual &&
	hako -C ws -c app2 cat-file -p HEAD >c &&
	grep "^Image-Platform: linux/" c
'

test_expect_success OCI 'a new image version over work of its own is refused, naming the way out' '
	push img:v2 reg t/app:1 &&
	hako -C ws -c app rev-parse HEAD >before &&
	test_must_fail hako -C ws pull -q --as app $R/t/app:1 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: pull $R/t/app:1: main of container app has 1 commit since its last pull, which the new image would hide; pull into another branch (.hako pull --branch NEW" err &&
	hako -C ws -c app rev-parse HEAD >after &&
	test_cmp before after &&
	echo "my work" >expect && hako -C ws -c app cat /etc/mine >actual &&
	test_cmp expect actual
'

test_expect_success OCI 'pull --branch takes the new version beside the work, and merge brings both together' '
	hako -C ws pull --as app --branch image $R/t/app:1 >out &&
	grep "into app branch image" out &&
	grep "hako -c app merge image" out &&
	echo two >expect && hako -C ws -c app cat image:/etc/version >actual &&
	test_cmp expect actual &&
	# The image branch grows from the last pull, not from the work.
	hako -C ws -c app rev-parse image~1 >p &&
	hako -C ws -c app rev-parse main~1 >q &&
	test_cmp p q &&
	hako -C ws -c app merge -m "new image" image &&
	echo two >expect && hako -C ws -c app cat /etc/version >actual &&
	test_cmp expect actual &&
	echo "my work" >expect && hako -C ws -c app cat /etc/mine >actual &&
	test_cmp expect actual
'

test_expect_success OCI 'the same version pulled again into that branch is up to date' '
	hako -C ws pull --as app --branch image $R/t/app:1 >out &&
	grep "is up to date in container app" out
'

test_expect_success OCI 'a container with no work on top takes the new version as a child commit' '
	hako -C ws pull -q --as app2 $R/t/app:1 &&
	echo two >expect && hako -C ws -c app2 cat /etc/version >actual &&
	test_cmp expect actual &&
	hako -C ws -c app2 log --oneline >log &&
	test_line_count = 2 log
'

test_expect_success OCI 'a container whose commits are not an image refuses a pull' '
	hako -C ws -c default rev-parse HEAD >before &&
	test_must_fail hako -C ws pull -q --as default $R/t/app:1 2>err &&
	test_line_count = 1 err &&
	grep "holds commits that are not an image.s" err &&
	hako -C ws -c default rev-parse HEAD >after &&
	test_cmp before after
'

test_done
