# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Session logs that hold no secret and only their owner can read (docs/hardening.md, "Files and their modes").

netmiko writes every byte it reads and filters only the login password. The log is
therefore opened here, not by netmiko: the directory 0700, the file 0600 and opened
with O_NOFOLLOW, so a link planted in a shared directory is refused instead of
followed. netmiko gets a file-like object that keeps what it writes until a line is
complete and feeds each complete line to the device's masker: the same masker, with the
same profile (the user's platforms file included) and the same keyed markers, as the
stored copy, kept for the whole session, so what depends on earlier lines (a section, a
PEM key, a wrapped line) is masked however netmiko splits its writes. What is left at
close is masked and written too. netmiko's own login password filter runs before this one.
"""

from __future__ import annotations

import io
import os
from typing import Any, Iterable, List, Protocol

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def ensure_log_directory(directory: str) -> None:
    """Create the session log directory owner-only; an existing one is left as its owner set it."""
    if not os.path.isdir(directory):
        os.makedirs(directory, mode=DIRECTORY_MODE, exist_ok=True)
        os.chmod(directory, DIRECTORY_MODE)


class LineMasker(Protocol):
    """What the log needs of a masker (``_platforms._masker.Masker``)."""

    def feed_all(self, lines: Iterable[str]) -> None:
        """Mask lines, in order."""

    def flush(self) -> None:
        """The end of the session: what is still held is masked."""

    def take(self) -> List[str]:
        """The masked lines completed so far."""


class MaskingLog(io.BufferedIOBase):
    """A write-only binary sink that masks each complete line before it reaches the file."""

    def __init__(self, fd: int, masker: LineMasker) -> None:
        super().__init__()
        self._fd = fd
        self._masker = masker
        self._pending = b""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.closed:  # pylint: disable=using-constant-test
            raise ValueError("write to a closed session log")
        chunk = bytes(data)
        self._pending += chunk
        cut = self._pending.rfind(b"\n")
        if cut != -1:
            complete, self._pending = self._pending[:cut + 1], self._pending[cut + 1:]
            self._emit(complete)
        return len(chunk)

    def _emit(self, data: bytes, final: bool = False) -> None:
        """Complete lines (and, at the end, the rest) masked and written; a line's end is written as a newline."""
        text = data.decode("utf-8", "replace")
        lines = text.split("\n")
        last = lines.pop()  # "" after a complete line; the unfinished rest when final
        if final and last:
            lines.append(last)
        self._masker.feed_all(line.rstrip("\r") for line in lines)
        tail = ""
        if final:
            self._masker.flush()
        masked = self._masker.take()
        if final and masked and not text.endswith("\n"):
            tail = masked.pop()
        payload = "".join(line + "\n" for line in masked).encode("utf-8") + tail.encode("utf-8")
        while payload:
            written = os.write(self._fd, payload)
            payload = payload[written:]

    def flush(self) -> None:
        """Complete lines are already written; a partial line waits for its end (or close)."""

    def close(self) -> None:
        if self.closed:  # pylint: disable=using-constant-test
            return
        try:
            self._emit(self._pending, final=True)
            self._pending = b""
        finally:
            os.close(self._fd)
            super().close()


def open_session_log(path: str, masker: LineMasker) -> MaskingLog:
    """Open (truncate) a session log 0600 without following a link at its name; OSError when refused."""
    ensure_log_directory(os.path.dirname(path) or ".")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except OSError:
        os.close(fd)
        raise
    return MaskingLog(fd, masker)
