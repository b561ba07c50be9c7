# Helpers of the `hako run` tests (t7100, t7110).

# Wait (up to 20 s) until `hako ps` shows instance $1 with status $2.
wait_status () {
	for i in $(test_seq 200); do
		hako -C ws ps -a >ps.out &&
		grep -q "^$1 .* $2 " ps.out && return 0
		sleep 0.1
	done
	cat ps.out
	return 1
}
