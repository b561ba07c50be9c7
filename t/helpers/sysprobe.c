/*
 * sysprobe: call system calls directly and print how each one ended, so the
 * sandbox tests can see what the seccomp filter and landlock refuse.
 * Built statically by the tests (gcc -static) and copied into the rootfs.
 *
 *   sysprobe SYSCALL...   one line per probe: "NAME OK" or "NAME ERRNO-NAME"
 *   sysprobe openat0 NAME open NAME relative to the directory on stdin, print
 *                         "openat0 OK" and its first line, or "openat0 ERRNO"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *errname(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENOSYS: return "ENOSYS";
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case EBADF: return "EBADF";
	case EFAULT: return "EFAULT";
	case ENOTTY: return "ENOTTY";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return strerror(e);
	}
}

static long probe(const char *name)
{
	char c = 'x';
	if (!strcmp(name, "getpid"))
		return syscall(SYS_getpid);
	if (!strcmp(name, "keyctl"))
		return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	if (!strcmp(name, "add_key"))
		return syscall(SYS_add_key, "user", "hako-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING);
	if (!strcmp(name, "request_key"))
		return syscall(SYS_request_key, "user", "hako-probe", NULL, 0);
	if (!strcmp(name, "bpf"))
		return syscall(SYS_bpf, 0, NULL, 0);
	if (!strcmp(name, "userfaultfd"))
		return syscall(SYS_userfaultfd, 1 /* UFFD_USER_MODE_ONLY */ | O_CLOEXEC);
	if (!strcmp(name, "perf_event_open"))
		return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
	if (!strcmp(name, "kexec_load"))
		return syscall(SYS_kexec_load, 0, 0, NULL, 0);
	if (!strcmp(name, "open_by_handle_at"))
		return syscall(SYS_open_by_handle_at, -1, NULL, 0);
	if (!strcmp(name, "init_module"))
		return syscall(SYS_init_module, NULL, 0, "");
	if (!strcmp(name, "swapon"))
		return syscall(SYS_swapon, "/nonexistent", 0);
	if (!strcmp(name, "reboot"))
		return syscall(SYS_reboot, 0, 0, 0, NULL);
	if (!strcmp(name, "tiocsti"))
		return ioctl(0, TIOCSTI, &c);
	fprintf(stderr, "sysprobe: unknown probe '%s'\n", name);
	errno = EINVAL;
	return -2;
}

int main(int argc, char **argv)
{
	int i;
	if (argc == 3 && !strcmp(argv[1], "openat0")) {
		char line[256] = "";
		int fd = openat(0, argv[2], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			printf("openat0 %s\n", errname(errno));
			return 0;
		}
		ssize_t n = read(fd, line, sizeof(line) - 1);
		line[n > 0 ? n : 0] = 0;
		printf("openat0 OK %s", line);
		return 0;
	}
	for (i = 1; i < argc; i++) {
		errno = 0;
		long r = probe(argv[i]);
		if (r == -2)
			return 2;
		if (r < 0)
			printf("%s %s\n", argv[i], errname(errno));
		else
			printf("%s OK\n", argv[i]);
	}
	return 0;
}
