/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the host-only unit tests of vmon: capture what a function
 * prints on stderr or writes to the guest console, make files to load.
 */
#ifndef VMON_TEST_UTIL_H
#define VMON_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* stderr goes to a temporary file until capture_end() */
static inline int capture_begin(int fd)
{
	FILE *tmp = tmpfile();
	int saved = dup(fd);

	fflush(NULL);
	dup2(fileno(tmp), fd);
	fclose(tmp);		/* fd keeps the file open */
	return saved;
}

/* restores fd and returns what was written to it (malloc'd, NUL ended) */
static inline char *capture_end(int fd, int saved)
{
	off_t len;
	char *buf;

	fflush(NULL);
	len = lseek(fd, 0, SEEK_END);
	buf = calloc(1, (size_t)len + 1);
	if (buf && len > 0)
		pread(fd, buf, (size_t)len, 0);
	dup2(saved, fd);
	close(saved);
	return buf;
}

/* a temporary file of size bytes, each byte its offset & 0xff */
static inline char *make_image(size_t size)
{
	static char path[] = "/tmp/vmon-test-image-XXXXXX";
	char *p = strdup(path);
	int fd = mkstemp(p);
	size_t i;

	for (i = 0; i < size; i++) {
		unsigned char c = (unsigned char)i;

		if (write(fd, &c, 1) != 1)
			break;
	}
	close(fd);
	return p;
}

#endif /* VMON_TEST_UTIL_H */
