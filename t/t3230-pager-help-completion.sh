#!/bin/sh
test_description='the pager on a terminal, hako help grouped as git help, completion of refs, containers, remotes and instances'
. ./test-lib.sh

# Run the command line $1 with its standard output on a pseudo-terminal
# (util-linux script); the environment passes through.
on_tty () {
	script -qec "$1" /dev/null </dev/null | tr -d '\r'
}

test_lazy_prereq SCRIPT 'command -v script && script -qec true /dev/null </dev/null'
test_prereq_reason SCRIPT "util-linux script(1) cannot run a command on a pseudo-terminal here"

test_expect_success 'setup' '
	hako init -q ws &&
	hako -C ws write /etc/a 1 && hako -C ws commit -q -m second &&
	hako -C ws branch topic &&
	hako -C ws tag v1 &&
	hako -C ws new-container web &&
	hako -C ws remote add origin "$PWD/elsewhere"
'

test_expect_success SCRIPT 'log, show, diff and status page through HAKO_PAGER on a terminal' '
	(export HAKO_PAGER="sed s/^/paged:/" && on_tty "hako -C ws log --oneline") >out &&
	test_line_count = 2 out &&
	! grep -v "^paged:" out &&
	(export HAKO_PAGER="sed s/^/paged:/" && on_tty "hako -C ws show HEAD") >out &&
	grep "^paged:commit " out &&
	hako -C ws write /etc/b 2 &&
	(export HAKO_PAGER="sed s/^/paged:/" && on_tty "hako -C ws diff") >out &&
	grep "^paged:+++ b/etc/b" out &&
	(export HAKO_PAGER="sed s/^/paged:/" && on_tty "hako -C ws status") >out &&
	grep "^paged:" out &&
	hako -C ws del /etc/b
'

test_expect_success SCRIPT 'no pager with --no-pager, -P, HAKO_PAGER=cat or when output is not a terminal' '
	(export HAKO_PAGER="sed s/^/paged:/" && on_tty "hako --no-pager -C ws log --oneline") >out &&
	test_line_count = 2 out && ! grep "^paged:" out &&
	(export HAKO_PAGER="sed s/^/paged:/" && on_tty "hako -C ws log -P --oneline") >out &&
	test_line_count = 2 out && ! grep "^paged:" out &&
	(export HAKO_PAGER=cat && on_tty "hako -C ws log --oneline") >out &&
	test_line_count = 2 out && ! grep "^paged:" out &&
	HAKO_PAGER="sed s/^/paged:/" hako -C ws log --oneline >out &&
	test_line_count = 2 out && ! grep "^paged:" out
'

test_expect_success SCRIPT 'core.pager chooses the pager; PAGER is the fallback; LESS defaults to FRX' '
	hako -C ws config core.pager "sed s/^/cfg:/" &&
	(unset HAKO_PAGER; on_tty "hako -C ws log --oneline") >out &&
	grep "^cfg:" out &&
	hako -C ws config --unset core.pager &&
	(unset HAKO_PAGER; export PAGER="sed s/^/env:/" && on_tty "hako -C ws log --oneline") >out &&
	grep "^env:" out &&
	printf "#!/bin/sh\necho LESS=\$LESS\ncat >/dev/null\n" >showless && chmod +x showless &&
	(unset HAKO_PAGER LESS; export PAGER="../showless" && cd ws && on_tty "hako log --oneline") >out &&
	grep "^LESS=FRX$" out
'

test_expect_success SCRIPT 'quitting the pager early ends hako quietly' '
	for i in $(test_seq 1 300); do hako -C ws commit -q --allow-empty -m "c$i" || return 1; done &&
	(export HAKO_PAGER="head -n 1" && on_tty "hako -C ws log 2>&1") >out &&
	test_line_count = 1 out &&
	! grep -i "panic\|broken pipe\|fatal" out
'

test_expect_success 'hako help groups the everyday commands; -a adds the plumbing' '
	hako help >out &&
	grep "^branch and merge$" out &&
	grep "^   merge  *Merge another branch" out &&
	! grep "hash-object" out &&
	hako help -a >all &&
	grep "^plumbing" all && grep "^   hash-object  " all &&
	test_expect_code 129 hako 2>bare &&
	test_cmp out bare &&
	hako --help >long && test_cmp out long
'

test_expect_success 'hako help COMMAND is that command'"'"'s help; an unknown one is one fatal line' '
	hako help merge >out &&
	hako merge --help >expect &&
	test_cmp expect out &&
	grep "^Usage: hako merge" out &&
	test_expect_code 129 hako help frobnicate 2>err &&
	test_line_count = 1 err && grep "frobnicate" err
'

# Ask hako what bash would offer for the words "$@" (the last one is completed).
complete_words () {
	(
		cd ws &&
		HAKO_COMPLETE=bash _CLAP_COMPLETE_INDEX=$(($# - 1)) _CLAP_IFS="
" hako -- "$@"
	)
}

test_expect_success 'completion offers branches, tags and other containers for revisions' '
	complete_words hako checkout "" >out &&
	grep "^topic$" out && grep "^main$" out && grep "^v1$" out && grep "^web:$" out &&
	complete_words hako log "" >out && grep "^topic$" out
'

test_expect_success 'completion offers containers, remotes and instance names' '
	complete_words hako is "" >out &&
	grep "^web$" out && grep "^default$" out &&
	complete_words hako -c "" >out && grep "^web$" out &&
	complete_words hako status -c "" >out && grep "^web$" out &&
	complete_words hako fetch "" >out && grep "^origin$" out &&
	complete_words hako branch -d "" >out && grep "^topic$" out
'

test_expect_success 'the script that hako completions prints asks hako itself' '
	hako completions bash >script &&
	grep "HAKO_COMPLETE=\"bash\"" script &&
	grep "complete .* hako" script
'

test_done
