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

test_expect_success 'bad keys and values: one fatal line, nothing written' '
	cp ws/.hako/config before &&
	test_must_fail hako -C ws config nodot 2>err &&
	grep "^fatal: bad config key .nodot." err &&
	test_must_fail hako -C ws config "a.b" "$(printf "x\ny")" 2>err &&
	grep "^fatal: config value for .a.b. has a newline" err &&
	test_cmp before ws/.hako/config
'

test_done
