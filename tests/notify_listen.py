#!/usr/bin/env python3
"""notify_listen.py SOCKET OUT — a stand-in for systemd's notification socket.

Binds a unix datagram socket at SOCKET (what NOTIFY_SOCKET names) and appends one line per
datagram to OUT: the wall-clock time in milliseconds, a tab, the message with its newlines
shown as " | ". Runs until killed. The tests read OUT to see what the daemon told "systemd"
and when.
"""
import os
import socket
import sys
import time

path, out = sys.argv[1], sys.argv[2]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
with open(out, "a", buffering=1) as f:
    while True:
        data = sock.recv(65536)
        msg = data.decode("utf-8", "replace").strip("\n").replace("\n", " | ")
        f.write("%d\t%s\n" % (int(time.time() * 1000), msg))
        f.flush()
        os.fsync(f.fileno())
