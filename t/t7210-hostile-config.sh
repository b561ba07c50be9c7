#!/bin/sh
test_description='hako.toml from an untrusted checkout (issue 27): an env key that is no variable name is a fatal with file:line'
. ./test-lib.sh

test_expect_success 'env keys that are empty or hold = are refused with file:line' '
	hako init -q ws &&
	mkdir ws/proj &&
	printf "name = \"x\"\nsetup = [\"true\"]\nenv = { \"A=B\" = \"1\" }\n" >ws/proj/eq.toml &&
	(cd ws/proj && test_must_fail hako apply -f eq.toml) 2>err &&
	grep "^fatal: eq.toml:3: key .env.A=B.: not a variable name (empty, or with .=. or NUL)$" err &&
	printf "name = \"x\"\nsetup = [\"true\"]\n[env]\n\"\" = \"1\"\n" >ws/proj/empty.toml &&
	(cd ws/proj && test_must_fail hako apply -f empty.toml) 2>err &&
	grep "^fatal: empty.toml:3: key .env\..: not a variable name" err &&
	test_line_count = 1 err
'

test_done
