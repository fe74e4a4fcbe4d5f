// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * libsvm models to text and back. libsvm only saves to and loads from a file
 * name, so the text goes through an anonymous memory file (memfd) opened by its
 * /proc/self/fd name: nothing touches the disk and nothing is left behind.
 * Text given to svm_text_load() must have passed svm_text_check().
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model_i.h"

/*
 * libsvm's reader keeps its line buffer in static variables, and both the reader
 * and the writer switch the process's locale to "C" and back: one call at a time.
 */
static pthread_mutex_t svm_io_lock = PTHREAD_MUTEX_INITIALIZER;

static void quiet(const char *s)
{
	(void)s;
}

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

static void quiet_init(void)
{
	svm_set_print_string_function(quiet);
}

void model_libsvm_quiet(void)
{
	pthread_once(&quiet_once, quiet_init);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, char *p, size_t len)
{
	off_t off = 0;

	while ((size_t)off < len) {
		ssize_t n = pread(fd, p + off, len - (size_t)off, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		off += n;
	}
	return 0;
}

static int memfd(char *path, size_t pathlen)
{
	int fd = memfd_create("mlfs-model", MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	snprintf(path, pathlen, "/proc/self/fd/%d", fd);
	/* libsvm reports a failed fopen() as NULL or -1 only: without /proc, say so here. */
	if (access(path, R_OK | W_OK) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

int svm_text_load(const char *text, size_t len, struct svm_model **ret_svm)
{
	struct svm_model *svm;
	char path[64];
	int fd, r;

	fd = memfd(path, sizeof(path));
	if (fd < 0)
		return fd;
	r = write_all(fd, text, len);
	if (r < 0)
		goto out_close;
	pthread_mutex_lock(&svm_io_lock);
	svm = svm_load_model(path);
	pthread_mutex_unlock(&svm_io_lock);
	/* The text was checked and the file is there: libsvm's malloc failed. */
	if (!svm) {
		r = -ENOMEM;
		goto out_close;
	}
	*ret_svm = svm;
out_close:
	close(fd);
	return r;
}

int svm_text_save(const struct svm_model *svm, char **ret_text, size_t *ret_len)
{
	struct stat st;
	char path[64];
	char *text;
	int fd, r;

	fd = memfd(path, sizeof(path));
	if (fd < 0)
		return fd;
	pthread_mutex_lock(&svm_io_lock);
	r = svm_save_model(path, svm);
	pthread_mutex_unlock(&svm_io_lock);
	if (r != 0) {
		r = -EIO;
		goto out_close;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out_close;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		r = -ENOMEM;
		goto out_close;
	}
	r = read_all(fd, text, (size_t)st.st_size);
	if (r < 0) {
		free(text);
		goto out_close;
	}
	text[st.st_size] = '\0';
	*ret_text = text;
	*ret_len = (size_t)st.st_size;
out_close:
	close(fd);
	return r;
}
