#!/bin/sh
test_description='contrib/examples: the scripts that compose plumbing work as documented'
. ./test-lib.sh

EX="$TEST_DIRECTORY/../contrib/examples"

test_expect_success 'merge-containers.sh merges one container branch into another' '
	hako init -q ws && (
		cd ws &&
		hako write /etc/app.conf "port=80" && hako commit -q -m base &&
		hako new-container --from default web 2>/dev/null ||
		{ hako new-container web && hako -c web update-ref refs/heads/main "$(hako rev-parse HEAD)"; } &&
		hako -c web write /srv/index.html "<h1>web</h1>" && hako -c web commit -q -m web &&
		hako write /etc/app.conf "port=8080" && hako commit -q -m port &&
		before=$(hako -c web rev-parse HEAD) &&
		"$EX/merge-containers.sh" default web >out &&
		grep "^web:main is now" out &&
		test "$(hako -c web rev-parse HEAD^1)" = "$before" &&
		test "$(hako -c web rev-parse HEAD^2)" = "$(hako rev-parse HEAD)" &&
		test "$(hako -c web cat HEAD:/etc/app.conf)" = "port=8080" &&
		test "$(hako -c web cat HEAD:/srv/index.html)" = "<h1>web</h1>" &&
		"$EX/merge-containers.sh" default web >out &&
		grep "already contains" out
	)
'

test_expect_success 'merge-containers.sh stops on conflicts and changes nothing' '
	(
		cd ws &&
		hako write /etc/app.conf "port=1" && hako commit -q -m one &&
		hako -c web reset --hard HEAD >/dev/null &&
		hako -c web write /etc/app.conf "port=2" && hako -c web commit -q -m two &&
		before=$(hako -c web rev-parse HEAD) &&
		test_must_fail "$EX/merge-containers.sh" default web 2>err &&
		grep "CONFLICT (content): etc/app.conf" err &&
		test "$(hako -c web rev-parse HEAD)" = "$before"
	)
'

test_expect_success 'pre-receive-check.sh accepts clean pushes, names every violation' '
	(
		cd ws &&
		zero=0000000000000000000000000000000000000000000000000000000000000000 &&
		old=$(hako rev-parse HEAD) &&
		hako write /small "ok" && hako commit -q -m small &&
		echo "$old $(hako rev-parse HEAD) refs/heads/main" | "$EX/pre-receive-check.sh" 1000 &&
		head -c 5000 /dev/zero >big && hako import big /big &&
		hako write /etc/shadow "root:x" && hako commit -q -m risky &&
		test_must_fail "$EX/pre-receive-check.sh" 1000 >out <<-EOF2 &&
		$old $(hako rev-parse HEAD) refs/heads/main
		EOF2
		grep "refs/heads/main: .* adds /big of 5000 bytes (limit 1000)" out &&
		grep "refs/heads/main: .* touches /etc/shadow" out &&
		test_line_count = 2 out &&
		echo "$zero $(hako rev-parse HEAD~1) refs/heads/new" | "$EX/pre-receive-check.sh" 1000000000 &&
		echo "$(hako rev-parse HEAD) $zero refs/heads/gone" | "$EX/pre-receive-check.sh"
	)
'

test_expect_success 'publish-mirror.sh makes and refreshes a dumb-HTTP mirror of every container' '
	(
		cd ws &&
		hako tag -m "release" v1 &&
		"$EX/publish-mirror.sh" ../mirror >out &&
		hako ls-remote . >../expect &&
		hako ls-remote ../mirror >../actual &&
		test_cmp ../expect ../actual &&
		head -n 1 ../mirror/.hako/info/refs | grep "^hako-mirror 1$" &&
		hako write /etc/more "more" && hako commit -q -m more &&
		"$EX/publish-mirror.sh" ../mirror >out &&
		hako ls-remote . >../expect &&
		hako ls-remote ../mirror >../actual &&
		test_cmp ../expect ../actual &&
		grep "$(hako rev-parse HEAD)" ../mirror/.hako/info/refs
	)
'

test_done
