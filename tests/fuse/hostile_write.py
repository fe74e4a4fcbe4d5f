# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
"""hostile_write.py FILE EXPR: write to FILE what the Python expression EXPR gives, and
print "ok" or the first call that failed with its errno ("write EINVAL", "close EFBIG").
EXPR is bytes (one write(2)), a list of bytes (one write each, in order), or a list of
(fd, bytes) pairs: several descriptors of FILE open at once, written in turn, closed in
order at the end. A write the kernel cut short is resumed, as cp would. MODEL, a small
good two-feature model, is there to be bent out of shape."""
import errno
import os
import sys

MODEL = (b'svm_type c_svc\nkernel_type rbf\ngamma 0.5\nnr_class 2\ntotal_sv 3\n'
         b'rho 0.25\nlabel 1 -1\nnr_sv 2 1\nSV\n1 1:0.5 2:-1 \n0.5 2:1 \n-1.5 1:-0.25 \n')


def name(e):
    return errno.errorcode.get(e.errno, str(e.errno))


path, expr = sys.argv[1], sys.argv[2]
data = eval(expr, {'__builtins__': {}, 'bytes': bytes, 'range': range, 'len': len,
                   'MODEL': MODEL})
if isinstance(data, bytes):
    data = [data]
ops = [op if isinstance(op, tuple) else (0, op) for op in data]
fds = []
failed = None
try:
    for _ in range(max(fd for fd, _ in ops) + 1):
        fds.append(os.open(path, os.O_WRONLY | os.O_APPEND))
except OSError as e:
    failed = 'open ' + name(e)
for fd, chunk in ops if failed is None else []:
    view = memoryview(chunk)
    try:
        while len(view) > 0:
            view = view[os.write(fds[fd], view):]
    except OSError as e:
        failed = 'write ' + name(e)
        break
for fd in fds:
    try:
        os.close(fd)
    except OSError as e:
        failed = failed or 'close ' + name(e)
print(failed or 'ok')
