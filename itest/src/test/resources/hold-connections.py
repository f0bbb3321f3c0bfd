#!/usr/bin/env python3
"""Opens many connections to a unix socket from a process of its own, sends each the same bytes,
and holds them until standard input closes: the client side of tests that need more sockets
than one process may have open.

usage: hold-connections.py SOCKET COUNT BYTES_FILE [--expect-end]
Prints 'opened N refused M' once all are attempted ('--expect-end': also waits on each for an
END_REQUEST record before going on, so the connection is idle), then 'closed-by-server K' when
stdin closes (how many the server had closed by then), and exits.
"""
import socket
import sys


def main():
    path, count, data_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    expect_end = "--expect-end" in sys.argv
    data = open(data_file, "rb").read()
    held, refused = [], 0
    for _ in range(count):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            if data:
                s.sendall(data)
            if expect_end:
                s.settimeout(10)
                received = b""
                while b"\x01\x03\x00\x01\x00\x08" not in received:
                    chunk = s.recv(65536)
                    if not chunk:
                        raise ConnectionError("closed before END_REQUEST")
                    received += chunk
            held.append(s)
        except OSError:
            refused += 1
            s.close()
    print(f"opened {len(held)} refused {refused}", flush=True)
    sys.stdin.read()
    closed = 0
    for s in held:
        s.setblocking(False)
        try:
            if s.recv(65536) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
        s.close()
    print(f"closed-by-server {closed}", flush=True)


if __name__ == "__main__":
    main()
