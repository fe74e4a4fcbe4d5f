/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * What the kernel device's reader makes of the records it reads, before any of it
 * reaches the store: the walk through a read, a registration's columns, a sample's
 * row and features. Pure functions, so they are tested and fuzzed on their own.
 */
#ifndef MLFS_KDEV_DECODE_I_H
#define MLFS_KDEV_DECODE_I_H

#include <stddef.h>
#include <stdint.h>

#include "mlproxy_record.h"
#include "store.h"

/*
 * kdev_record_next() - the record at *@off of the @len bytes a read gave. Returns 1
 * with *@ret_hdr set and *@off moved past it, 0 at the end, or -EINVAL when the bytes
 * there are not one well-formed record (nothing after them can be trusted either).
 * @buf must be 8-byte aligned, as every record's size is a multiple of 8.
 */
int kdev_record_next(const char *buf, size_t len, size_t *off, const struct mlproxy_hdr **ret_hdr);

/*
 * kdev_register_columns() - the store's columns for a registration: its names, the
 * target last, INTEGER for plain integers and REAL for fixed point. Returns 0, or
 * -EINVAL when the subsystem or a column has a name the store would refuse.
 */
int kdev_register_columns(const struct mlproxy_register *reg, struct mlfs_columns *ret_cols);

/* A sample's values as a row of @s->ncols values, each divided by its column's @scale. */
void kdev_sample_row(const struct mlproxy_sample *s, const uint32_t *scale, struct mlfs_value *row);

/* A sample's features (every value but the last, the target) as reals, for the model. */
void kdev_sample_features(const struct mlproxy_sample *s, const uint32_t *scale, double *x);

#endif
