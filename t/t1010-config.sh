#!/bin/sh
test_description='hako config: get, set, unset and list the workspace and user configs, as git config'
. ./test-lib.sh

test_expect_success 'setup' '
	hako init -q ws &&
	XDG_CONFIG_HOME=$PWD/xdg && export XDG_CONFIG_HOME
'

test_expect_success 'set and get a workspace value; the file is the one readers use' '
	hako -C ws config user.name "Ann Other" &&
	echo "Ann Other" >expect &&
	hako -C ws config user.name >actual &&
	test_cmp expect actual &&
	hako -C ws config USER.Name >actual &&
	test_cmp expect actual &&
	grep "^	name = Ann Other$" ws/.hako/config
'

test_expect_success '--global writes the user config; the workspace value wins when both are set' '
	hako -C ws config --global user.email ann@example.com &&
	grep "^	email = ann@example.com$" xdg/hako/config &&
	echo ann@example.com >expect &&
	hako -C ws config user.email >actual && test_cmp expect actual &&
	hako -C ws config user.email local@example.com &&
	echo local@example.com >expect &&
	hako -C ws config user.email >actual && test_cmp expect actual &&
	echo ann@example.com >expect &&
	hako -C ws config --global user.email >actual && test_cmp expect actual
'

test_expect_success 'commits take the identity set with config' '
	(
		unset HAKO_AUTHOR_NAME HAKO_AUTHOR_EMAIL &&
		hako -C ws write /f x &&
		hako -C ws commit -q -m x &&
		hako -C ws cat-file -p HEAD >c
	) &&
	grep "^author Ann Other <local@example.com> " c
'

test_expect_success 'subsections keep their case; --list prints user then workspace values' '
	hako -C ws config remote.Origin.url ssh://h/p &&
	grep "^\[remote \"Origin\"\]$" ws/.hako/config &&
	hako -C ws config --list >list &&
	head -n 1 list >first &&
	echo "user.email=ann@example.com" >expect && test_cmp expect first &&
	grep "^remote.Origin.url=ssh://h/p$" list &&
	grep "^user.name=Ann Other$" list
'

test_expect_success 'a missing value exits 1; --unset of a missing one exits 5; --unset removes' '
	test_expect_code 1 hako -C ws config no.such >out &&
	test_must_be_empty out &&
	hako -C ws config --unset user.name &&
	test_expect_code 1 hako -C ws config user.name &&
	test_expect_code 5 hako -C ws config --unset user.name
'

test_expect_success 'outside a workspace: reading sees the user config, writing needs --global' '
	mkdir elsewhere &&
	echo ann@example.com >expect &&
	(cd elsewhere && hako config user.email) >actual && test_cmp expect actual &&
	(cd elsewhere && test_must_fail hako config x.y z) 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: not a hako workspace.*(use --global for the user config)" err
'

test_expect_success 'bad keys: one fatal line, nothing written' '
	cp ws/.hako/config before &&
	test_must_fail hako -C ws config nodot 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: bad config key .nodot." err &&
	test_must_fail hako -C ws config a.1b x 2>err &&
	grep "^fatal: bad config key .a.1b.: use section.\[sub.\]name$" err &&
	test_cmp before ws/.hako/config
'

test_expect_success 'values with quotes, escapes, comment characters and newlines read back the same' '
	for v in "a # b" "c;d" " lead" "trail " "q\"q" "back\\slash" "$(printf "two\nlines")" "$(printf "\ttab")" ""
	do
		hako -C ws config odd.value "$v" &&
		printf "%s\n" "$v" >expect &&
		hako -C ws config odd.value >actual &&
		test_cmp expect actual || return 1
	done &&
	hako -C ws config odd.value "$(printf "two\nlines")" &&
	grep "^	value = two\\\\nlines$" ws/.hako/config
'

test_expect_success '--add and --get-all: a multi-valued key, in order; a single get gives the last' '
	hako -C ws config --global multi.item zero &&
	hako -C ws config multi.item one &&
	hako -C ws config --add multi.item "two # 2" &&
	printf "zero\none\ntwo # 2\n" >expect &&
	hako -C ws config --get-all multi.item >actual &&
	test_cmp expect actual &&
	echo "two # 2" >expect &&
	hako -C ws config multi.item >actual &&
	test_cmp expect actual &&
	hako -C ws config --list >list &&
	grep -n "^multi.item=" list >lines &&
	test_line_count = 3 lines &&
	test_expect_code 1 hako -C ws config --get-all multi.none &&
	hako -C ws config multi.item only &&
	echo only >expect &&
	hako -C ws config --get-all --global multi.item >/dev/null &&
	hako -C ws config --unset --global multi.item &&
	hako -C ws config --get-all multi.item >actual &&
	test_cmp expect actual
'

test_expect_success 'git syntax: continuation lines, keys without a value, an entry on the header line' '
	cat >>ws/.hako/config <<-\EOF &&
	[extra] flag
		long = one \
	two
		quoted = "a \"b\"" ; comment
	EOF
	hako -C ws config extra.long >actual &&
	echo "one two" >expect && test_cmp expect actual &&
	hako -C ws config extra.quoted >actual &&
	echo "a \"b\"" >expect && test_cmp expect actual &&
	hako -C ws config --list >list &&
	grep "^extra.flag$" list &&
	hako -C ws config extra.added yes &&
	hako -C ws config extra.long >actual &&
	echo "one two" >expect && test_cmp expect actual &&
	sed -n "/^\[extra\]/,\$p" ws/.hako/config >section &&
	tail -n 1 section >last &&
	printf "\tadded = yes\n" >expect && test_cmp expect last
'

test_expect_success 'a bad value is named with its file and line; sizes take k, m, g and t in either case' '
	hako init -q --empty sizes &&
	hako -C sizes config cache.maxSize lots &&
	n=$(grep -n "maxsize = lots" sizes/.hako/config | cut -d: -f1) &&
	test_must_fail hako -C sizes cache prune 2>err &&
	echo "fatal: $TRASH_DIRECTORY/sizes/.hako/config:$n: cache.maxSize: '"'"'lots'"'"' is not a size" >expect &&
	test_cmp expect err &&
	for v in 1T 2g 3M 4k 5 " 6m "
	do
		hako -C sizes config cache.maxSize "$v" &&
		hako -C sizes cache prune || return 1
	done
'

test_expect_success 'a malformed config: one fatal line naming file and line, for every command, nothing written' '
	hako init -q --empty broken &&
	printf "[core]\n\tformatversion = 1\n\tbad = \"open\n" >>broken/.hako/config &&
	cp broken/.hako/config before &&
	n=$(wc -l <broken/.hako/config) &&
	echo "fatal: $TRASH_DIRECTORY/broken/.hako/config:$n: unterminated quote" >expect &&
	test_must_fail hako -C broken config core.formatversion 2>err &&
	test_cmp expect err &&
	test_must_fail hako -C broken config x.y z 2>err &&
	test_cmp expect err &&
	test_must_fail hako -C broken log 2>err &&
	test_cmp expect err &&
	test_cmp before broken/.hako/config &&
	printf "[user]\nname\x = x\n" >xdg/hako/bad &&
	mv xdg/hako/config xdg/hako/good &&
	test_when_finished "mv xdg/hako/good xdg/hako/config" &&
	mv xdg/hako/bad xdg/hako/config &&
	echo "fatal: $TRASH_DIRECTORY/xdg/hako/config:2: bad key name" >expect &&
	test_must_fail hako -C ws config user.email 2>err &&
	test_cmp expect err
'

test_done
