# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
"""fake_kernel.py SOCKET: play the kernel proxy's part for `mlfs -o kdev=SOCKET`, as
mlproxy-standin does, but send whatever a test asks, well-formed or not. Listens on
SOCKET (SOCK_SEQPACKET, as the stand-in), takes the daemon's connection, then reads
lines on stdin: each is a Python expression over mlproxy_records (as R) giving the
bytes of one packet, which it sends, answering "sent" on stdout. What the daemon
writes back (mode changes, recommendations) is read and dropped, so it never waits."""
import os
import select
import socket
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mlproxy_records as R  # noqa: E402

path = sys.argv[1]
server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
server.bind(path)
server.listen(1)
print('listening', flush=True)
peer, _ = server.accept()
print('connected', flush=True)
while True:
    ready, _, _ = select.select([sys.stdin, peer], [], [])
    if peer in ready:
        if not peer.recv(4096):
            break  # the daemon went away
    if sys.stdin in ready:
        line = sys.stdin.readline()
        if not line:
            break
        packet = eval(line, {'__builtins__': {}, 'R': R, 'bytes': bytes})
        peer.send(packet)
        print('sent', flush=True)
peer.close()
server.close()
