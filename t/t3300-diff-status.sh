#!/bin/sh
test_description='status and diff'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-porcelain.sh

test_expect_success 'setup' '
	hako init -q --empty . &&
	test_tick &&
	printf "a\nb\nc\n" | hako write /etc/conf &&
	hako write /keep k && hako write /gone g &&
	hako commit -m base
'

test_expect_success 'status of a clean working root' '
	cat >expect <<-EOF &&
	On branch main (container default)
	nothing to commit, working root clean
	EOF
	hako status >actual &&
	test_cmp expect actual &&
	hako status --porcelain >actual &&
	test_must_be_empty actual
'

test_expect_success 'status lists added, modified and deleted paths' '
	printf "a\nB\nc\n" | hako write /etc/conf &&
	hako write /new n && hako del /gone &&
	cat >expect <<-EOF &&
	On branch main (container default)
	Changes not committed:
	  modified: /etc/conf
	  deleted:  /gone
	  added:    /new
	EOF
	hako status >actual &&
	test_cmp expect actual &&
	cat >expect <<-EOF &&
	M etc/conf
	D gone
	A new
	EOF
	hako status --porcelain >actual &&
	test_cmp expect actual &&
	hako status -z | tr "\000" "\n" >actual &&
	test_cmp expect actual
'

test_expect_success 'diff shows a unified diff against HEAD' '
	cat >expect <<-EOF &&
	diff --hako a/etc/conf b/etc/conf
	--- a/etc/conf
	+++ b/etc/conf
	@@ -1,3 +1,3 @@
	 a
	-b
	+B
	 c
	diff --hako a/gone b/gone
	deleted file mode 100644
	--- a/gone
	+++ /dev/null
	@@ -1 +0,0 @@
	-g
	\\ No newline at end of file
	diff --hako a/new b/new
	new file mode 100644
	--- /dev/null
	+++ b/new
	@@ -0,0 +1 @@
	+n
	\\ No newline at end of file
	EOF
	hako diff >actual &&
	test_cmp expect actual
'

test_expect_success 'diff -- PATH, --name-status and --stat' '
	hako diff -- /etc >actual &&
	head -n 1 actual >first &&
	echo "diff --hako a/etc/conf b/etc/conf" >expect && test_cmp expect first &&
	! grep gone actual &&
	printf "M\tetc/conf\nD\tgone\nA\tnew\n" >expect &&
	hako diff --name-status >actual && test_cmp expect actual &&
	cat >expect <<-EOF &&
	 etc/conf |    2 +-
	 gone     |    1 -
	 new      |    1 +
	 3 files changed, 2 insertions(+), 2 deletions(-)
	EOF
	hako diff --stat >actual && test_cmp expect actual
'

test_expect_success 'binary files are named as such' '
	printf "\000\001\002" | hako write /bin.dat &&
	hako diff -- /bin.dat >actual &&
	grep "^Binary files /dev/null and b/bin.dat differ$" actual
'

test_expect_success 'diff between two commits, and --exit-code' '
	test_tick &&
	hako commit -m second &&
	hako diff --name-status HEAD~1 HEAD >actual &&
	printf "D\tgone\nA\tbin.dat\n" >/dev/null &&
	grep "^M	etc/conf$" actual && grep "^A	bin.dat$" actual &&
	hako diff --exit-code HEAD HEAD &&
	test_expect_code 1 hako diff --exit-code HEAD~1 HEAD >/dev/null
'

test_expect_success 'diff of an unknown ref is fatal' '
	expect_unchanged hako diff nosuch
'

test_done
