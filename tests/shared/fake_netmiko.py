# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one fake netmiko connection of the test suite: a logged-in session to a device that is not there.

It has the slice of netmiko's BaseConnection the collection uses (``_backup/_session.py``:
write_channel/read_channel, the prompt, the text clean-ups, enable mode, disconnect), so the
real DeviceSession and read_command_output run on it and the test decides, chunk by chunk,
what the "network" hands them. Its layers are netmiko's: ``remote_conn`` is the paramiko
channel (bytes), ``channel`` netmiko's own SSHChannel decoding them, when a test gives bytes.

Three ways in:
- ``FakeNetmikoConnection(chunks)``: a read serves the queued chunks, then silence (``every``:
  one chunk per that many seconds, a device that streams steadily; ``prompt``: the prompt the
  device showed after login);
- ``FakeNetmikoConnection(replies={...})``: each command written is echoed, then its reply's
  chunks and the prompt come back, as from a device (an unknown command replies nothing);
- ``FakeNetmikoConnection(byte_chunks=[...])``: a real netmiko SSHChannel over a paramiko-like
  channel that hands out those bytes (decoding tests);
and ``FakeNetmikoConnection.connect_handler(...)``, a stand-in for netmiko's ConnectHandler
(monkeypatched into ``_backup._session``) that logs in with one accepted password.
"""

from __future__ import annotations

import re
import time

# What read_channel ignores before the prompt on a line (colour, bold): the prompt is the line's first text.
_LEADING_ESCAPES = re.compile(r"^(?:\x1b\[[0-9;?]*[A-Za-z])*")


class FakeNetmikoConnection:
    """A logged-in netmiko session to the fake device ``base_prompt``; see the module's docstring."""

    RETURN = "\n"

    def __init__(self, chunks=(), *, base_prompt="r1", replies=None, byte_chunks=None, every=0.0, prompt=None,
                 **connect_kwargs):
        self.base_prompt = base_prompt
        self.chunks = list(chunks)
        self.every = every  # seconds between chunks: a device that streams steadily
        self.next_at = 0.0
        self.netraven_prompt = prompt  # the prompt the device showed after login (the driver's find_prompt)
        self.replies = replies
        self.written = []
        self.connect_kwargs = connect_kwargs  # what ConnectHandler was given, for tests that check it
        self.remote_conn = None
        if byte_chunks is not None:
            from netmiko.channel import SSHChannel  # pylint: disable=import-outside-toplevel

            self.remote_conn = _PeerChannel(byte_chunks)
            self.channel = SSHChannel(self.remote_conn, "utf-8")

    @classmethod
    def connect_handler(cls, password=None, **connection_kwargs):
        """A ConnectHandler for one device: records each login's username, accepts only ``password``.

        The returned callable has ``logins`` (usernames, in order), ``failure`` (an exception that
        every login raises instead, None for none) and ``before_login`` (called first at every
        login, None for nothing), which a test may set; each connection it makes is
        ``cls(**connection_kwargs)``.
        """

        def connect(**kwargs):
            if connect.before_login is not None:
                connect.before_login()
            connect.logins.append(kwargs.get("username"))
            if connect.failure is not None:  # a test sets it to an exception, which pylint cannot know
                raise connect.failure  # pylint: disable=raising-bad-type
            if password is not None and kwargs.get("password") != password:
                from netmiko.exceptions import NetmikoAuthenticationException  # pylint: disable=import-outside-toplevel

                raise NetmikoAuthenticationException("Authentication to device failed.")
            return cls(**connection_kwargs, **kwargs)

        connect.logins, connect.failure, connect.before_login = [], None, None
        return connect

    def write_channel(self, data):
        self.written.append(data)
        self.next_at = time.monotonic()
        if self.replies is not None:
            command = data.strip()
            self.chunks = [command + "\r\n", *self.replies.get(command, ()), self.base_prompt + "#"]

    def read_channel(self):
        if not self.chunks or (self.every and time.monotonic() < self.next_at):
            return ""
        self.next_at += self.every
        return self.chunks.pop(0)

    @staticmethod
    def check_enable_mode():
        return True

    @staticmethod
    def normalize_linefeeds(text):
        return text.replace("\r\n", "\n").replace("\r", "\n")

    @staticmethod
    def strip_ansi_escape_codes(text):
        return text

    @staticmethod
    def strip_command(command, output):
        return output.split("\n", 1)[1] if output.startswith(command) else output

    def strip_prompt(self, output):
        lines = output.split("\n")
        return "\n".join(lines[:-1]) if lines and _LEADING_ESCAPES.sub("", lines[-1]).startswith(self.base_prompt) else output

    def disconnect(self):
        pass


class _PeerChannel:
    """The paramiko Channel under the connection: hands out fixed byte chunks, as Channel.recv would."""

    def __init__(self, chunks):
        self.chunks = list(chunks)

    def recv_ready(self):
        return bool(self.chunks)

    def recv(self, size):
        del size
        return self.chunks.pop(0)
