# Helpers for porcelain tests.

# Record the working root, refs and active container, to check that a failing
# command changed nothing.
state () {
	{
		hako rev-parse WORKING
		hako show-ref --head
		cat "${HAKO_DIR:-.hako}/active" 2>/dev/null || cat .hako/active
		hako containers
	} 2>&1
}

# expect_unchanged CMD...: CMD fails with a one-line fatal, and state is the same after.
expect_unchanged () {
	state >state.before &&
	test_must_fail "$@" 2>err &&
	test_line_count = 1 err &&
	grep "^fatal: " err &&
	state >state.after &&
	test_cmp state.before state.after
}
