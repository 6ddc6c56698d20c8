"""A device's telnet line: a real login (``Username:``/``Password:``), then the same CLI as over SSH.

IOS-style: ``User Access Verification``, the password not echoed, ``% Login invalid`` and a
new ``Username:`` after a wrong pair, the line closed after three. Every pair tried is
recorded (method ``telnet``), like an SSH login, and never its password. Once logged in,
the session is the platform's ordinary shell (:class:`devicelab.shell.DeviceSession`) over
a small channel adapter, so prompts, paging, enable and faults behave as over SSH.
"""

from __future__ import annotations

import asyncio
import re

from .shell import DeviceSession

IAC = 255
MAX_TRIES = 3
_LINE = re.compile(r"\r\n|\r\x00|\r|\n")


def _strip_telnet_commands(data):
    """The bytes without telnet IAC commands (telnetlib may send option negotiations)."""
    out = bytearray()
    skip = 0
    for index, byte in enumerate(data):
        if skip:
            skip -= 1
            continue
        if byte == IAC and index + 1 < len(data):
            command = data[index + 1]
            skip = 2 if command in (251, 252, 253, 254) else 1
            continue
        out.append(byte)
    return bytes(out)


class _Channel:
    """What DeviceSession uses of an asyncssh channel, over a plain TCP transport."""

    def __init__(self, transport):
        self._transport = transport

    def write(self, text):
        if self._transport.is_closing():
            raise BrokenPipeError("telnet session closed")
        self._transport.write(text.encode("utf-8"))

    def exit(self, _status):
        self._transport.close()

    def get_extra_info(self, name):
        return self if name == "connection" else None

    def abort(self):
        self._transport.abort()


class TelnetDevice(asyncio.Protocol):
    """One telnet connection to a lab device: login state machine, then the device's shell."""

    def __init__(self, lab, device):
        self._lab = lab
        self._dev = device
        self._transport = None
        self._buffer = ""
        self._username = None
        self._tries = 0
        self._shell = None

    def connection_made(self, transport):
        self._transport = transport
        self._lab.telnets.add(transport)
        transport.write(b"\r\n\r\nUser Access Verification\r\n\r\nUsername: ")

    def connection_lost(self, exc):
        self._lab.telnets.discard(self._transport)
        if self._shell is not None:
            self._shell.connection_lost(exc)

    def data_received(self, data):
        text = _strip_telnet_commands(data).decode("utf-8", "replace")
        if self._shell is not None:
            self._shell.data_received(text, None)
            return
        self._buffer += text
        while self._shell is None:
            match = _LINE.search(self._buffer)
            if match is None:
                return
            line, self._buffer = self._buffer[:match.start()], self._buffer[match.end():]
            self._login_line(line)
        if self._buffer:
            rest, self._buffer = self._buffer, ""
            self._shell.data_received(rest, None)

    def _login_line(self, line):
        if self._username is None:
            self._username = line.strip()
            self._transport.write(b"Password: ")
            return
        username, self._username = self._username, None
        spec = self._dev.spec
        cred = spec.accepts(username, line)
        self._lab.recorder.record(spec.name, self._dev.address, self._dev.port, username, cred is not None,
                                  method="telnet")
        if cred is None:
            self._tries += 1
            if self._tries >= MAX_TRIES:
                self._transport.write(b"\r\n% Login invalid\r\n")
                self._transport.close()
                return
            self._transport.write(b"\r\n% Login invalid\r\n\r\nUsername: ")
            return
        self._transport.write(b"\r\n")
        self._shell = DeviceSession(self._dev, username, cred.privilege)
        self._shell.connection_made(_Channel(self._transport))
        self._shell.session_started()
