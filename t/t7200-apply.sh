#!/bin/sh
test_description='hako apply: hako.toml setup steps run inside the container, one commit each, skipped once applied'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-apply.sh

skip_unless_fuse
skip_unless_busybox
skip_unless_userns

steps_run () { grep -c "^step [0-9]*/[0-9]*: " "$1"; }

test_expect_success 'setup: a workspace and a project directory' '
	hako init -q ws &&
	mkdir -p ws/proj
'

test_expect_success 'three setup steps make three commits' '
	three_step_toml ws/proj/hako.toml app &&
	(cd ws/proj && hako apply) 2>err &&
	test "$(steps_run err)" = 3 &&
	hako -C ws -c app log --oneline -n 3 >log &&
	test_line_count = 3 log &&
	grep "cat /one /two >/both" log &&
	printf "one\ntwo\n" >expect &&
	hako -C ws -c app cat /both >actual &&
	test_cmp expect actual &&
	hako -C ws -c app cat-file -p HEAD | grep "^Apply-Step: [0-9a-f]\{64\}$" &&
	hako -C ws -c app status --porcelain >st && test_must_be_empty st
'

test_expect_success 'a re-run executes nothing and says so' '
	before=$(hako -C ws -c app rev-parse HEAD) &&
	(cd ws/proj && hako apply) 2>err &&
	test "$(steps_run err)" = 0 &&
	grep "all 3 step(s) already applied" err &&
	test "$(hako -C ws -c app rev-parse HEAD)" = "$before"
'

test_expect_success 'editing step 2 re-runs steps 2 and 3 only, from step 1' '
	step1=$(hako -C ws -c app rev-parse HEAD~2) &&
	sed -i "s/echo two/echo TWO/" ws/proj/hako.toml &&
	(cd ws/proj && hako apply --dry-run) >plan &&
	grep "step 1/3 applied" plan && grep "step 2/3 would run" plan &&
	(cd ws/proj && hako apply) 2>err &&
	test "$(steps_run err)" = 2 &&
	grep "^step 2/3: echo TWO" err && grep "^step 3/3: " err &&
	test "$(hako -C ws -c app rev-parse HEAD~2)" = "$step1" &&
	printf "one\nTWO\n" >expect &&
	hako -C ws -c app cat /both >actual &&
	test_cmp expect actual
'

test_expect_success 'a failing step stops there; earlier steps stay; a re-run resumes at it' '
	cat >ws/proj/fail.toml <<-\EOF &&
	name = "flaky"
	setup = ["echo a >/a", "echo partial >/partial; test -e /workspace/ok", "echo c >/c"]
	workspace = "ro"
	EOF
	(cd ws/proj && test_must_fail hako apply -f fail.toml) 2>err &&
	grep "^fatal: step 2/3 failed with exit status 1" err &&
	test "$(hako -C ws -c flaky cat /a)" = a &&
	test_must_fail hako -C ws -c flaky cat /partial 2>/dev/null &&
	hako -C ws -c flaky status --porcelain >st && test_must_be_empty st &&
	hako -C ws -c flaky log --oneline >log &&
	grep "echo a" log && ! grep partial log &&
	touch ws/proj/ok &&
	(cd ws/proj && hako apply -f fail.toml) 2>err &&
	test "$(steps_run err)" = 2 &&
	grep "^step 2/3: " err &&
	test "$(hako -C ws -c flaky cat /c)" = c
'

test_expect_success 'workspace = "ro" refuses writes to /workspace; "rw" allows them' '
	cat >ws/proj/ro.toml <<-\EOF &&
	name = "rocheck"
	workspace = "ro"
	setup = ["echo x >/workspace/written"]
	EOF
	(cd ws/proj && test_must_fail hako apply -f ro.toml) 2>err &&
	test_path_is_missing ws/proj/written &&
	sed -i "s/\"ro\"/\"rw\"/" ws/proj/ro.toml &&
	(cd ws/proj && hako apply -f ro.toml) 2>err &&
	test "$(cat ws/proj/written)" = x
'

test_expect_success 'profiles overlay, includes compose, env and env_pass reach the steps' '
	cat >ws/proj/base.toml <<-\EOF &&
	env = { GREETING = "hello", LEVEL = "base" }
	setup = ["echo \"$GREETING $LEVEL $PASSED\" >/env.txt"]
	[prod]
	env = { LEVEL = "prod" }
	EOF
	cat >ws/proj/top.toml <<-\EOF &&
	include = ["base.toml"]
	name = "composed"
	env_pass = ["PASSED"]
	EOF
	(cd ws/proj && PASSED=fromhost hako apply -f top.toml) 2>err &&
	test "$(hako -C ws -c composed cat /env.txt)" = "hello base fromhost" &&
	(cd ws/proj && PASSED=fromhost hako apply -f top.toml --profile prod) 2>err &&
	test "$(steps_run err)" = 1 &&
	test "$(hako -C ws -c composed cat /env.txt)" = "hello prod fromhost"
'

test_expect_success 'env_pass values stay out of the Apply-Step hash (names only): no offline guessing' '
	cat >ws/proj/secret.toml <<-\EOF &&
	name = "sec1"
	env_pass = ["TOKEN"]
	setup = ["echo used >/used"]
	EOF
	sed "s/sec1/sec2/" ws/proj/secret.toml >ws/proj/secret2.toml &&
	(cd ws/proj && TOKEN=s3cr3t hako apply -f secret.toml) 2>err &&
	(cd ws/proj && TOKEN=other hako apply -f secret2.toml) 2>err &&
	hako -C ws -c sec1 cat-file -p HEAD | grep "^Apply-Step:" >one &&
	hako -C ws -c sec2 cat-file -p HEAD | grep "^Apply-Step:" >two &&
	test_cmp one two &&
	# A new value alone re-runs nothing; passing nothing does.
	(cd ws/proj && TOKEN=changed hako apply -f secret.toml) 2>err &&
	grep "already applied" err &&
	(cd ws/proj && env -u TOKEN hako apply -f secret.toml) 2>err &&
	test "$(steps_run err)" = 1 &&
	hako -C ws -c sec1 cat-file -p HEAD | grep "^Apply-Step:" >three &&
	! test_cmp one three >/dev/null
'

test_expect_success 'apply --run runs the run command after the setup' '
	cat >ws/proj/run.toml <<-\EOF &&
	name = "app"
	setup = ["echo one >/one", "echo TWO >/two", "cat /one /two >/both"]
	run = "cat /both; exit 7"
	EOF
	(cd ws/proj && test_expect_code 7 hako apply -f run.toml --run) >out 2>err &&
	grep "all 3 step(s) already applied" err &&
	printf "one\nTWO\n" >expect &&
	test_cmp expect out
'

test_expect_success 'bad input: missing file, unknown key, wrong type, unknown profile, include cycle' '
	(cd ws/proj && test_must_fail hako apply -f nothere.toml) 2>err &&
	grep "^fatal: nothere.toml: no such file" err &&
	refused_toml bad.toml "name = \"x\"\nsetup = [\"true\"]\nstup = 1\n" "3: unknown key .stup.$" &&
	refused_toml bad2.toml "setup = \"true\"\n" "1: key .setup.: expected an array of strings" &&
	(cd ws/proj && test_must_fail hako apply -f top.toml --profile nope) 2>err &&
	grep "unknown profile .nope. (known: prod)" err &&
	printf "include = [\"c2.toml\"]\n" >ws/proj/c1.toml &&
	printf "include = [\"c1.toml\"]\n" >ws/proj/c2.toml &&
	(cd ws/proj && test_must_fail hako apply -f c1.toml) 2>err &&
	grep "^fatal: include cycle: c1.toml -> c2.toml -> c1.toml$" err &&
	test_line_count = 1 err
'

test_expect_success 'workspace defaults to rw: a step writes the project directory' '
	cat >ws/proj/wsdef.toml <<-\EOF &&
	name = "wsdef"
	setup = ["echo from-step >/workspace/out.txt"]
	EOF
	(cd ws/proj && hako apply -f wsdef.toml) 2>err &&
	test "$(cat ws/proj/out.txt)" = from-step
'

test_expect_success 'a failing step exits with its own status' '
	cat >ws/proj/exit7.toml <<-\EOF &&
	name = "exit7"
	setup = ["true", "exit 7"]
	EOF
	(cd ws/proj && test_expect_code 7 hako apply -f exit7.toml) 2>err &&
	grep "^fatal: step 2/2 failed with exit status 7" err &&
	test $(grep -c fatal: err) = 1
'

test_expect_success 'changing the network, the workspace mode, a bind or a limit re-runs every step' '
	mkdir -p ws/proj/data &&
	cat >ws/proj/set.toml <<-\EOF &&
	name = "settings"
	setup = ["echo a >/a", "echo b >/b"]
	[wider]
	binds = ["data:/data:ro"]
	[limited]
	rlimits = { nofile = 512 }
	[ro]
	workspace = "ro"
	[hostnet]
	net = "host"
	EOF
	(cd ws/proj && hako apply -f set.toml) 2>err &&
	test "$(steps_run err)" = 2 &&
	(cd ws/proj && hako apply -f set.toml) 2>err &&
	test "$(steps_run err)" = 0 &&
	for p in wider limited ro hostnet
	do
		(cd ws/proj && hako apply -f set.toml --profile $p -n) >plan &&
		grep "^step 1/2 would run" plan &&
		grep "^step 2/2 would run" plan || return 1
	done &&
	(cd ws/proj && sed "s|data:/data:ro|$PWD/data:/data:ro|" set.toml >set2.toml &&
		hako apply -f set2.toml --profile wider) 2>err &&
	test "$(steps_run err)" = 2 &&
	(cd ws/proj && hako apply -f set2.toml --profile wider) 2>err &&
	test "$(steps_run err)" = 0
'

test_expect_success 'every step is committed whatever autocommit says; autocommit = true commits what apply --run writes' '
	cat >ws/proj/auto.toml <<-\EOF &&
	name = "auto"
	setup = ["echo one >/one", "echo two >/two"]
	run = "echo ran >/ran"
	autocommit = true
	EOF
	(cd ws/proj && hako apply -f auto.toml --run) 2>err &&
	hako -C ws -c auto log --format=%s >log &&
	printf "run: /bin/sh -c echo ran >/ran\necho two >/two\necho one >/one\n" >expect &&
	head -n 3 log >actual && test_cmp expect actual &&
	hako -C ws -c auto status --porcelain >st && test_must_be_empty st &&
	sed "s/autocommit = true/autocommit = false/; s/ran >/ran2 >/" ws/proj/auto.toml >ws/proj/noauto.toml &&
	sed -i "s/^name = .*/name = \"noauto\"/" ws/proj/noauto.toml &&
	(cd ws/proj && hako apply -f noauto.toml --run) 2>err &&
	hako -C ws -c noauto log --format=%s >log &&
	test_line_count = 3 log &&
	hako -C ws -c noauto status --porcelain >st &&
	grep "^A ran$" st
'

test_expect_success 'run --autocommit: each hako exec into the instance is committed when it ends' '
	hako -C ws new-container snap &&
	id=$(hako -C ws run -d --autocommit snap -- sleep 30) &&
	test_when_finished "hako -C ws stop -t 1 $id >/dev/null 2>&1 || :" &&
	hako -C ws exec $id sh -c "echo one >/e1" 2>err &&
	grep "exec: sh -c echo one >/e1" err &&
	hako -C ws -c snap log --format=%s -n 1 >log &&
	echo "exec: sh -c echo one >/e1" >expect && test_cmp expect log &&
	hako -C ws -c snap cat HEAD:/e1 >actual && echo one >expect && test_cmp expect actual &&
	hako -C ws exec $id true 2>err &&
	! grep exec: err &&
	hako -C ws -c snap log --format=%s -n 1 >log && test_cmp - log <<-\EOF &&
	exec: sh -c echo one >/e1
	EOF
	test_expect_code 129 hako -C ws run --rm --autocommit snap -- true 2>err &&
	grep "autocommit needs a container run" err
'

test_expect_success 'apply'"'"'s steps leave no instance behind' '
	hako -C ws ps -a >ps.out &&
	! grep " sec1 \| sec2 \| composed " ps.out
'

test_done
