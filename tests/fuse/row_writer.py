#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
"""Numbered rows into an mlfs dataset, file after file, until an error or --files.

Each row is W,F,I,I%2 (columns w,f,i,target): writer W's file F (one open to close),
row I of it. After each write(2) returns, the journal gets "ack F I" (rows 1..I of file
F were accepted); after close(2) returns 0, "closed F N": close waits for the commit,
so those N rows are in the database. The first error ends the writer with
"error CALL ERRNO". A crash test compares the journal with the table.
"""
import argparse
import errno
import os
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dataset')
    ap.add_argument('journal')
    ap.add_argument('--writer', type=int, required=True)
    ap.add_argument('--rows', type=int, default=5000, help='rows a file')
    ap.add_argument('--chunk', type=int, default=500, help='rows a write(2)')
    ap.add_argument('--files', type=int, default=0, help='files to write; 0: no end')
    a = ap.parse_args()
    journal = open(a.journal, 'a', buffering=1)
    header = b'w,f,i,target\n'
    f = 0
    while a.files == 0 or f < a.files:
        f += 1
        call = 'open'
        try:
            fd = os.open(a.dataset, os.O_WRONLY | os.O_APPEND)
            i = 0
            while i < a.rows:
                n = min(a.chunk, a.rows - i)
                text = ''.join('%d,%d,%d,%d\n' % (a.writer, f, k, k % 2)
                               for k in range(i + 1, i + n + 1)).encode()
                call = 'write'
                # A header repeating the dataset's own is skipped: every file starts with one.
                os.write(fd, header + text if i == 0 else text)
                i += n
                journal.write('ack %d %d\n' % (f, i))
            call = 'close'
            os.close(fd)
            journal.write('closed %d %d\n' % (f, i))
        except OSError as e:
            journal.write('error %s %s\n' % (call, errno.errorcode.get(e.errno, e.errno)))
            return 0
    return 0


if __name__ == '__main__':
    sys.exit(main())
