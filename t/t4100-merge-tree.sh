#!/bin/sh
test_description='merge-tree: every row of format-spec/merge.md, output format, options, bad input'
. ./test-lib.sh
. "$TEST_DIRECTORY"/lib-merge.sh

VECTORS="$TEST_DIRECTORY/../format-spec/vectors/merge.tsv"

test_expect_success 'setup' '
	hako init -q --empty ws
'
HAKO_DIR="$PWD/ws/.hako" && export HAKO_DIR

# One test per row: the result tree id is the vector's and a fresh build of
# the expected entries; the conflicted paths and kinds are exact.
while IFS="	" read -r row b o t e c id; do
	case "$row" in "#"*|"") continue ;; esac
	test_expect_success "row $row" '
		B=$(tree "$b") && O=$(tree "$o") && T=$(tree "$t") &&
		test "$(tree "$e")" = "$id" &&
		{
			echo "$id" &&
			if test "$c" != -; then
				echo "$c" | tr , "\n" | sed "s/=.*//" | uniq &&
				echo &&
				echo "$c" | tr , "\n" | sed "s/^\([^=]*\)=\(.*\)/CONFLICT (\2): \1/"
			fi
		} >expect &&
		code=0 && hako merge-tree --name-only --messages $B $O $T >actual || code=$? &&
		test $code = $(test "$c" = - && echo 0 || echo 1) &&
		test_cmp expect actual
	'
done <"$VECTORS"

test_expect_success 'conflicted paths are listed with their stages' '
	cat >expect <<-EOF &&
	$(tree "f:b")
	$(stage 1 f:a)
	$(stage 2 l:x)
	$(stage 3 f:b)
	EOF
	test_expect_code 1 hako merge-tree $(tree f:a) $(tree l:x) $(tree f:b) >out &&
	sed 1d out >actual && sed 1d expect >expect.stages &&
	test_cmp expect.stages actual &&
	cat >expect <<-EOF &&
	$(stage 1 f:a)
	$(stage 3 f:b)
	EOF
	test_expect_code 1 hako merge-tree $(tree f:a) $(tree -) $(tree f:b) >out &&
	sed 1d out >actual &&
	test_cmp expect actual
'

test_expect_success '--diff3 writes the base section' '
	R=$(hako merge-tree --diff3 $(tree f:a) $(tree f:b) $(tree f:c) | head -1 ||:) &&
	printf "<<<<<<< ours\nb\n||||||| base\na\n=======\nc\n>>>>>>> theirs\n" >expect &&
	hako cat-file -p $R:p >actual &&
	test_cmp expect actual
'

test_expect_success '-X ours and -X theirs resolve conflicts silently' '
	hako merge-tree -X ours $(tree f:a) $(tree f:b) $(tree f:c) >actual &&
	tree f:b >expect && test_cmp expect actual &&
	hako merge-tree -X theirs $(tree f:a) $(tree -) $(tree f:c) >actual &&
	tree f:c >expect && test_cmp expect actual &&
	hako merge-tree -X theirs $(tree f:a) $(tree x:b) $(tree r:c) >actual &&
	tree r:c >expect && test_cmp expect actual
'

test_expect_success '-z: NUL-terminated records, names verbatim' '
	test_expect_code 1 hako merge-tree -z --name-only --messages $(tree f:a) $(tree f:b) $(tree f:c) >out &&
	tr "\000" "\n" <out >actual &&
	printf "%s\np\n\nCONFLICT (content): p\n" $(tree "f:<<<<<<< ours\nb\n=======\nc\n>>>>>>> theirs") >expect &&
	test_cmp expect actual
'

test_expect_success 'files over 1 MiB are not merged line by line' '
	test_seq 1 300000 >big && B=$(hako hash-object -t file -w big) &&
	sed "s/^1$/one/" big >big.o && O=$(hako hash-object -t file -w big.o) &&
	sed "s/^300000$/end/" big >big.t && T=$(hako hash-object -t file -w big.t) &&
	mk () { printf "100644 file %s\tp\n" $1 | hako mktree; } &&
	test_expect_code 1 hako merge-tree --name-only --messages $(mk $B) $(mk $O) $(mk $T) >actual &&
	printf "%s\np\n\nCONFLICT (content): p\n" $(mk $O) >expect &&
	test_cmp expect actual
'

test_expect_success 'chunked files under the limit are merged line by line' '
	test_seq 1 30000 >mid && B=$(hako hash-object -t file -w mid) &&
	test "$(hako cat-file -t $B)" = file &&
	sed "s/^1$/one/" mid >mid.o && O=$(hako hash-object -t file -w mid.o) &&
	sed "s/^30000$/end/" mid >mid.t && T=$(hako hash-object -t file -w mid.t) &&
	sed "s/^1$/one/; s/^30000$/end/" mid >mid.m && M=$(hako hash-object -t file -w mid.m) &&
	mk () { printf "100644 file %s\tp\n" $1 | hako mktree; } &&
	hako merge-tree $(mk $B) $(mk $O) $(mk $T) >actual &&
	mk $M >expect &&
	test_cmp expect actual
'

test_expect_success 'merge-tree OURS THEIRS computes the base from commits' '
	B=$(hako commit-tree -m base $(tree f:1\\n2\\n3)) &&
	O=$(hako commit-tree -p $B -m ours $(tree f:one\\n2\\n3)) &&
	T=$(hako commit-tree -p $B -m theirs $(tree f:1\\n2\\nthree)) &&
	hako merge-tree --write-tree $O $T >actual &&
	tree "f:one\n2\nthree" >expect &&
	test_cmp expect actual
'

test_expect_success 'unrelated histories are refused unless allowed' '
	O=$(hako commit-tree -m ours $(tree f:b)) &&
	T=$(hako commit-tree -m theirs $(tree f:c)) &&
	test_expect_code 128 hako merge-tree --write-tree $O $T >out 2>err &&
	test_must_be_empty out &&
	echo "fatal: refusing to merge unrelated histories" >expect &&
	test_cmp expect err &&
	test_expect_code 1 hako merge-tree --allow-unrelated-histories --name-only $O $T >actual &&
	printf "%s\np\n" $(tree "f:<<<<<<< ours\nb\n=======\nc\n>>>>>>> theirs") >expect &&
	test_cmp expect actual
'

test_expect_success 'merge-tree touches no ref and no working root' '
	state () { (cd ws/.hako && find . -path ./objects -prune -o -type f -print | sort | xargs md5sum); } &&
	state >before &&
	test_expect_code 1 hako merge-tree $(tree f:a) $(tree f:b) $(tree f:c) >/dev/null &&
	hako merge-tree --write-tree $(hako commit-tree -m x $(tree f:b)) $(hako commit-tree -m y $(tree f:c)) --allow-unrelated-histories >/dev/null || : &&
	state >after &&
	test_cmp before after
'

test_expect_success '--count-nodes counts the nodes this merge read and wrote, and only them' '
	B=$(tree "f:a") && O=$(tree "f:b") && T=$(tree "f:c") &&
	test_expect_code 1 hako merge-tree --count-nodes --write-tree $B $O $T >/dev/null 2>first &&
	test_expect_code 1 hako merge-tree --count-nodes --write-tree $B $O $T >/dev/null 2>second &&
	test_cmp first second &&
	read=$(sed -n "s/^nodes read: \([0-9]*\) .*/\1/p" first) &&
	written=$(sed -n "s/^nodes written: //p" first) &&
	test "$read" -ge 3 && test "$written" -ge 1 &&
	test "$read" -le 12 && test "$written" -le 6
'

test_expect_success 'bad input: an unknown revision, a blob, a wrong argument count' '
	test_expect_code 128 hako merge-tree nope $(tree f:a) $(tree f:b) 2>err &&
	test_line_count = 1 err && grep "^fatal: " err &&
	test_expect_code 128 hako merge-tree $(blob x) $(tree f:a) $(tree f:b) 2>err &&
	test_line_count = 1 err && grep "^fatal: " err &&
	test_expect_code 129 hako merge-tree $(tree f:a) 2>err &&
	test_line_count = 1 err && grep "^fatal: " err
'

test_done
