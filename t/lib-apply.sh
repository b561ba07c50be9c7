# Helpers of the hako.toml tests (t7200, t7210, t5100): a project directory
# ws/proj of the workspace ws.

# three_step_toml FILE NAME [LINES]: a hako.toml for the container NAME,
# LINES (more keys) and three setup steps: /one, /two and /both (the two).
three_step_toml () {
	{
		echo "name = \"$2\""
		test -z "$3" || printf '%s\n' "$3"
		cat <<-\EOF
		setup = [
		  "echo one >/one",
		  "echo two >/two",
		  "cat /one /two >/both",
		]
		EOF
	} >"$1"
}

# refused_toml FILE CONTENT MESSAGE: apply -f FILE, CONTENT written to it
# (a printf format), fails with "fatal: FILE:MESSAGE" (a grep pattern).
refused_toml () {
	printf "$2" >ws/proj/"$1" &&
	(cd ws/proj && test_must_fail hako apply -f "$1") 2>err &&
	grep "^fatal: $1:$3" err
}
