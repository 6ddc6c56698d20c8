"""A ProxyCommand for the OpenSSH config tests: ``python _proxy_command.py MARKER HOST PORT``.

Appends HOST:PORT to MARKER (so the test sees the proxy was used), connects, and copies
stdin to the socket and the socket to stdout until either side closes, as ``nc`` would.
"""

import os
import select
import socket
import sys


def main(marker, host, port):
    with open(marker, "a", encoding="utf-8") as handle:
        handle.write("%s:%s\n" % (host, port))
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.settimeout(None)
    stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
    sources = [sock, stdin]
    while True:
        ready, _w, _x = select.select(sources, [], [])
        if sock in ready:
            data = sock.recv(65536)
            if not data:
                return
            os.write(stdout, data)
        if stdin in ready:
            data = os.read(stdin, 65536)
            if not data:
                sock.shutdown(socket.SHUT_WR)
                sources = [sock]
                continue
            sock.sendall(data)


if __name__ == "__main__":
    main(*sys.argv[1:4])
