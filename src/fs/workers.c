// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The threads that do the operations which may wait: for room in the store's
 * queue, for a commit, on SQLite, or through the check of a large upload. The
 * FUSE threads answer what is quick themselves (lookups, attributes, listings,
 * status, queries) and hand the rest here; a worker runs the operation and
 * replies (libfuse replies from any thread). So a FUSE thread never waits, a
 * few of them serve the whole tree, and a query finds one ready.
 *
 * Workers start as jobs come, up to a limit, and then stay; jobs beyond what
 * the workers can take wait in order.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "fs_i.h"

struct fs_workers {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct fs_job *head, *tail; /* jobs no worker has taken yet, oldest first */
	unsigned queued;            /* of them */
	unsigned idle;              /* workers waiting for a job */
	unsigned count, max;
	bool stopping;
	pthread_t *threads; /* max of them, the first count started */
};

static void *worker_main(void *arg)
{
	struct fs_workers *w = arg;
	struct fs_job *job;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->head && !w->stopping) {
			w->idle++;
			pthread_cond_wait(&w->wake, &w->lock);
			w->idle--;
		}
		job = w->head;
		if (!job)
			break; /* stopping, and nothing left to do */
		w->head = job->next;
		w->queued--;
		if (!w->head)
			w->tail = NULL;
		pthread_mutex_unlock(&w->lock);
		job->run(job);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int fs_workers_new(unsigned max, struct fs_workers **ret)
{
	struct fs_workers *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->threads = calloc(max ? max : 1, sizeof(*w->threads));
	if (!w->threads) {
		free(w);
		return -ENOMEM;
	}
	w->max = max ? max : 1;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	*ret = w;
	return 0;
}

void fs_workers_submit(struct fs_workers *w, struct fs_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&w->lock);
	/* A worker for each job waiting, as far as the limit goes. */
	if (w->queued + 1 > w->idle && w->count < w->max &&
	    pthread_create(&w->threads[w->count], NULL, worker_main, w) == 0)
		w->count++;
	if (w->count == 0) {
		/* Not one worker could start: better done here than never. */
		pthread_mutex_unlock(&w->lock);
		job->run(job);
		return;
	}
	if (w->tail)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	w->queued++;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void fs_workers_free(struct fs_workers *w)
{
	unsigned i;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	/* Workers finish what is queued before they stop: every request gets its reply. */
	for (i = 0; i < w->count; i++)
		pthread_join(w->threads[i], NULL);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w->threads);
	free(w);
}
