# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
"""The records of /dev/mlproxy (src/kmod/uapi/mlproxy.h), packed for tests that play
the kernel's part. Every function returns the bytes of one record; keyword arguments
bend a field out of shape (a wrong magic, version, size or id) for tests of refusals."""
import struct

MAGIC = 0x58504C4D
VERSION = 1
REGISTER, UNREGISTER, SAMPLE, WINDOW, OUTCOME, MODE, RECOMMEND = range(1, 8)
HDR = struct.Struct('<IHHIIQQ')  # magic, version, type, size, subsys, seq, time_ns
NAME_LEN, REASON_LEN, COLUMNS_MAX = 32, 64, 17


def hdr(rtype, size, subsys, seq=0, magic=MAGIC, version=VERSION, size_field=None):
    return HDR.pack(magic, version, rtype, size if size_field is None else size_field,
                    subsys, seq, 0)


def name(text, length=NAME_LEN):
    raw = text.encode('latin-1') if isinstance(text, str) else text
    return raw[:length].ljust(length, b'\0')


def register(subsys, sname, cols, metric='throughput', flags=0, mode=1,
             rec=(1, 128, 32), **bend):
    """cols: (name, scale) pairs, the target last."""
    body = name(sname) + struct.pack('<IIII', len(cols), flags, mode, 0)
    body += struct.pack('<qqq', *rec) + name(metric)
    for i in range(COLUMNS_MAX):
        cname, scale = cols[i] if i < len(cols) else ('', 0)
        body += name(cname) + struct.pack('<II', scale, 0)
    return hdr(REGISTER, HDR.size + len(body), subsys, **bend) + body


def unregister(subsys, **bend):
    return hdr(UNREGISTER, HDR.size, subsys, **bend)


def sample(subsys, values, seq=0, ncols=None, **bend):
    body = struct.pack('<II', len(values) if ncols is None else ncols, 0)
    body += b''.join(struct.pack('<q', v) for v in values)
    return hdr(SAMPLE, HDR.size + len(body), subsys, seq=seq, **bend) + body


def window(subsys, number, mode, arms, **bend):
    """arms: (decisions, outcomes, metric_sum) for the default arm, then ML."""
    body = struct.pack('<QII', number, mode, 0)
    body += b''.join(struct.pack('<QQq', *a) for a in arms)
    return hdr(WINDOW, HDR.size + len(body), subsys, **bend) + body


def outcome(subsys, decision, recommendation, arm, value, default, metric, **bend):
    body = struct.pack('<QQIIqqq', decision, recommendation, arm, 0, value, default, metric)
    return hdr(OUTCOME, HDR.size + len(body), subsys, **bend) + body


def mode_change(subsys, mode, reason=0, text='', **bend):
    body = struct.pack('<II', mode, reason) + name(text, REASON_LEN)
    return hdr(MODE, HDR.size + len(body), subsys, **bend) + body


def recommend(subsys, rid, version, value, **bend):
    body = struct.pack('<QQq', rid, version, value)
    return hdr(RECOMMEND, HDR.size + len(body), subsys, **bend) + body
