#!/bin/sh
test_description='hako.toml from an untrusted checkout (issue 27): an env key that is no variable name is a fatal with file:line'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-apply.sh

test_expect_success 'env keys that are empty or hold = are refused with file:line' '
	hako init -q ws &&
	mkdir ws/proj &&
	refused_toml eq.toml "name = \"x\"\nsetup = [\"true\"]\nenv = { \"A=B\" = \"1\" }\n" \
		"3: key .env.A=B.: not a variable name (empty, or with .=. or NUL)$" &&
	refused_toml empty.toml "name = \"x\"\nsetup = [\"true\"]\n[env]\n\"\" = \"1\"\n" \
		"3: key .env\..: not a variable name" &&
	test_line_count = 1 err
'

test_done
