"""Collision-free loopback addresses for concurrent labs.

The collection keys devices by IP, so every simulated device needs its own
address, and several labs may run at once (pytest-xdist workers, a demo and
a benchmark).  Linux routes all of 127.0.0.0/8 to ``lo``, so each lab takes
whole /24 blocks (``127.X.Y.1`` - ``127.X.Y.254``) out of 127.100.0.0 -
127.199.255.255 and holds an exclusive ``flock`` on one lock file per block
for its lifetime.  The kernel drops the lock when the process dies, so a
crashed lab never leaks its block; no cleanup step is needed.
"""

from __future__ import annotations

import fcntl
import os
import random
import tempfile

FIRST_SECOND_OCTET = 100
LAST_SECOND_OCTET = 199
HOSTS_PER_BLOCK = 254


def default_lock_dir():
    """Where the per-block lock files live (shared by every lab on the machine)."""
    return os.environ.get("DEVICELAB_LOCK_DIR") or os.path.join(tempfile.gettempdir(), "devicelab-locks")


class AddressPool:
    """Reserve /24 loopback blocks for one lab; release them on :meth:`release`."""

    def __init__(self, lock_dir=None):
        self.lock_dir = lock_dir or default_lock_dir()
        self._held = []

    @property
    def blocks(self):
        """The reserved blocks as ``127.X.Y`` prefixes."""
        return [held[0] for held in self._held]

    def _try_lock(self, prefix):
        path = os.path.join(self.lock_dir, prefix + ".lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._held.append((prefix, fd))
        return True

    def reserve(self, count):
        """Reserve enough blocks for ``count`` addresses and return the addresses."""
        if count <= 0:
            return []
        os.makedirs(self.lock_dir, exist_ok=True)
        try:
            os.chmod(self.lock_dir, 0o1777)
        except OSError:
            pass
        need = -(-count // HOSTS_PER_BLOCK)
        span = (LAST_SECOND_OCTET - FIRST_SECOND_OCTET + 1) * 256
        start = random.SystemRandom().randrange(span)
        got = []
        for step in range(span):
            index = (start + step) % span
            prefix = f"127.{FIRST_SECOND_OCTET + index // 256}.{index % 256}"
            if self._try_lock(prefix):
                got.append(prefix)
                if len(got) == need:
                    break
        if len(got) < need:
            self.release()
            raise RuntimeError(f"could not reserve {need} loopback block(s) in {self.lock_dir}")
        return [f"{prefix}.{host}" for prefix in got for host in range(1, HOSTS_PER_BLOCK + 1)][:count]

    def release(self):
        """Drop every lock this pool holds."""
        for dummy_prefix, fd in self._held:
            try:
                os.close(fd)
            except OSError:
                pass
        self._held = []
