#define _GNU_SOURCE
/* What a process in the sandbox can do to pid 1 (hako's init): try to
 * ptrace it (ATTACH and SEIZE), open its memory and environment, and list
 * the descriptors it holds. Prints one line per probe: NAME ok|ERRNO. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *what, int r)
{
	printf("%s %s\n", what, r < 0 ? strerrorname_np(errno) : "ok");
}

int main(void)
{
	long r = ptrace(PTRACE_ATTACH, 1, 0, 0);
	report("attach", r < 0 ? -1 : 0);
	if (r == 0) {
		waitpid(1, 0, __WALL);
		ptrace(PTRACE_DETACH, 1, 0, 0);
	}
	r = ptrace(PTRACE_SEIZE, 1, 0, 0);
	report("seize", r < 0 ? -1 : 0);
	if (r == 0)
		ptrace(PTRACE_DETACH, 1, 0, 0);
	report("mem", open("/proc/1/mem", O_RDWR));
	report("environ", open("/proc/1/environ", O_RDONLY));
	DIR *d = opendir("/proc/1/fd");
	int n = 0;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				n++;
		closedir(d);
	}
	printf("fds %d\n", n);
	return 0;
}
