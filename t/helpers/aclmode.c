/* What GNU sed -i does to give its new file the old one's mode: create the
 * temporary 0600, set an access ACL equal to mode 0644 with fsetxattr (gnulib
 * copy_acl), write, close, rename over the original; then print the mode
 * stat(2) sees, in octal. Usage: aclmode DIR */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static void entry(unsigned char *p, int tag, int perm)
{
	p[0] = tag; p[1] = 0; p[2] = perm; p[3] = 0;
	memset(p + 4, 0xff, 4);
}

int main(int argc, char **argv)
{
	char tmp[4096], dst[4096];
	unsigned char acl[4 + 3 * 8] = { 2, 0, 0, 0 };
	struct stat st;
	int fd;

	if (argc != 2)
		return 2;
	snprintf(tmp, sizeof tmp, "%s/sedXXXXXX", argv[1]);
	snprintf(dst, sizeof dst, "%s/target", argv[1]);
	fd = mkstemp(tmp);
	if (fd < 0) { perror("mkstemp"); return 1; }
	entry(acl + 4, 0x01, 6);   /* USER_OBJ rw- */
	entry(acl + 12, 0x04, 4);  /* GROUP_OBJ r-- */
	entry(acl + 20, 0x20, 4);  /* OTHER r-- */
	if (fsetxattr(fd, "system.posix_acl_access", acl, sizeof acl, 0)) {
		perror("fsetxattr");
		return 1;
	}
	if (write(fd, "new\n", 4) != 4 || close(fd)) { perror("write"); return 1; }
	if (rename(tmp, dst)) { perror("rename"); return 1; }
	if (stat(dst, &st)) { perror("stat"); return 1; }
	printf("%o\n", st.st_mode & 07777);
	return 0;
}
