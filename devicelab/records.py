"""Login attempt records: what the lab saw, never the secret that was tried.

Tests count failed logins to prove that a credential chain stopped at the
right credential.  The lab may run in the test process (``Lab``) or in a
child process (``LabProcess``), so every attempt is kept in memory *and*,
when a path is given, appended as one JSON line to a file that any process
can read with :func:`read`.  One ``os.write`` on an ``O_APPEND`` descriptor
per record keeps lines whole even when several labs share one file.

Passwords are never recorded, not even hashed: a record file must be safe to
attach to a bug report.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class LoginRecord:
    """One password authentication attempt seen by a device."""

    ts: float
    device: str
    address: str
    port: int
    username: str
    accepted: bool
    method: str = "password"
    lab: str = ""

    def as_dict(self) -> dict:
        """Return the record as a plain dict (the JSONL line's content)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "LoginRecord":
        """Build a record from a JSONL line's dict, ignoring unknown keys."""
        known = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        return cls(**known)


def select(records, device=None, username=None, accepted=None):
    """Filter records by device name, username and outcome (None = any)."""
    return [
        rec for rec in records
        if (device is None or rec.device == device)
        and (username is None or rec.username == username)
        and (accepted is None or rec.accepted == accepted)
    ]


def read(path, device=None, username=None, accepted=None):
    """Read a JSONL record file written by a lab (``--record FILE``).

    Returns a list of :class:`LoginRecord` in file order, filtered like
    :func:`select`.  A missing file means "no attempts yet" and a torn last
    line (a writer racing the reader) is skipped rather than raised.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.readlines()
    except FileNotFoundError:
        return []
    records = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if data.get("event", "login") == "login":
            records.append(LoginRecord.from_dict(data))
    return select(records, device, username, accepted)


class Recorder:
    """Thread-safe in-memory record list with an optional JSONL mirror."""

    def __init__(self, path=None, lab_id=""):
        self.path = os.fspath(path) if path else None
        self.lab_id = lab_id
        self._records = []
        self._lock = threading.Lock()
        self._fd = None
        if self.path:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def record(self, device, address, port, username, accepted, method="password"):
        """Store one attempt and mirror it to the file, if any."""
        rec = LoginRecord(
            ts=time.time(), device=device, address=address, port=port,
            username=username, accepted=bool(accepted), method=method, lab=self.lab_id,
        )
        with self._lock:
            self._records.append(rec)
            if self._fd is not None:
                payload = dict(rec.as_dict(), event="login")
                os.write(self._fd, (json.dumps(payload, sort_keys=True) + "\n").encode("utf-8"))
        return rec

    def records(self, device=None, username=None, accepted=None):
        """Return a filtered copy of the records seen so far."""
        with self._lock:
            snapshot = list(self._records)
        return select(snapshot, device, username, accepted)

    def clear(self):
        """Forget in-memory records (the file, being append-only, is kept)."""
        with self._lock:
            self._records.clear()

    def close(self):
        """Close the file mirror."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
