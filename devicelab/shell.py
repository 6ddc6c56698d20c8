"""One interactive SSH session on a simulated device (a vty line).

Behaves like a device's terminal so netmiko never waits on a timeout: every
line is echoed at once, the answer and the next prompt follow in one write,
passwords are not echoed, and long output is paged (``--More--``) until the
client disables paging, exactly as on the real platforms.  Faults that act
inside a session (``slow``, ``truncate``, the MOTD part of ``long_banner``)
live here.

Input is processed strictly in order: while a slow command is pending,
type-ahead stays buffered (and is echoed when its turn comes), like a real
tty.
"""

from __future__ import annotations

import asyncio
import logging
import re

import asyncssh

from .platforms import Reply

_EOL = re.compile(r"\r\n|\r|\n")
log = logging.getLogger("devicelab")


class SessionState:
    """Mutable CLI state of one session, passed to the platform's handlers."""

    def __init__(self, device, username, privilege):
        self.runtime = device
        self.device = device.spec
        self.config = device.config
        self.host = device.spec.host
        self.started = device.started
        self.username = username
        # 15 lands in the privileged mode; IOS accounts may sit at a level between (``host#``, a partial view)
        self.priv = max(1, min(int(privilege), 15))
        self.mode = "exec"
        self.length = 24
        self.width = 80
        self.pending = None
        self.pending_tries = 0


def crlf(text):
    """Normalise line ends to the CRLF a device sends."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


class DeviceSession(asyncssh.SSHServerSession):
    """asyncssh session object for one shell (or exec) channel."""

    def __init__(self, device, username, privilege):
        self._dev = device
        self._platform = device.platform
        self.state = SessionState(device, username, privilege)
        self._chan = None
        self._inbuf = ""
        self._skip_lf = False
        self._busy = False
        self._closed = False
        self._timer = None
        self._pager = None
        self._exec = None
        self._await_key = False

    # ---- asyncssh callbacks ---------------------------------------------
    def connection_made(self, chan):
        self._chan = chan
        self._dev.sessions += 1

    def connection_lost(self, exc):
        self._closed = True
        self._dev.sessions -= 1
        if self._timer is not None:
            self._timer.cancel()

    def pty_requested(self, term_type, term_size, term_modes):
        rows = term_size[1] if term_size else 0
        if self._platform.name in ("juniper_junos", "juniper") and rows:
            self.state.length = rows
        return True

    def shell_requested(self):
        return True

    def exec_requested(self, command):
        self._exec = command
        return True

    def session_started(self):
        if self._exec is not None:
            reply = self._platform.run(self.state, self._exec)
            self._send(reply.output)
            self._chan.exit(0)
            return
        banner = self._dev.spec.faults.banner
        text = (banner + "\n" if banner else "") + self._platform.motd(self.state)
        if self._platform.press_any_key:
            # ProCurve: nothing is read until a key is pressed; the prompt follows the key.
            self._await_key = True
            self._send(text)
            return
        self._send(text + "\n" + self._prompt())

    def data_received(self, data, datatype):
        if datatype is not None or self._closed:
            return
        if self._skip_lf and data.startswith("\n"):
            data = data[1:]
        self._skip_lf = False
        if self._await_key and data:
            self._await_key = False
            data = data[1:]
            if data.startswith("\n"):
                data = data[1:]
            self._send("\n" + self._prompt())
        self._inbuf += data
        self._pump()

    def eof_received(self):
        return False

    # ---- output helpers --------------------------------------------------
    def _send(self, text):
        if text and not self._closed:
            try:
                self._chan.write(crlf(text))
            except BrokenPipeError:  # the client closed while we were answering
                self._closed = True

    def _prompt(self):
        custom = self._dev.spec.prompt
        if custom and self.state.mode == "exec":
            return custom.format(host=self.state.host, user=self.state.username)
        return self._platform.prompt(self.state)

    def _close(self):
        if not self._closed:
            self._closed = True
            try:
                self._chan.exit(0)
            except (BrokenPipeError, OSError):
                pass

    # ---- input processing ------------------------------------------------
    def _pump(self):
        while self._inbuf and not self._busy and not self._closed:
            if self._pager is not None:
                key, self._inbuf = self._inbuf[0], self._inbuf[1:]
                if key == "\r" and self._inbuf.startswith("\n"):
                    self._inbuf = self._inbuf[1:]
                self._pager_key(key)
                continue
            match = _EOL.search(self._inbuf)
            if match is None:
                if len(self._inbuf) > 65536:
                    self._inbuf = ""
                return
            raw, self._inbuf = self._inbuf[:match.start()], self._inbuf[match.end():]
            if match.group(0) == "\r" and not self._inbuf:
                self._skip_lf = True
            self._line(self._edit(raw))

    @staticmethod
    def _edit(raw):
        """Apply backspace/delete keys and drop other control characters (except ^Z)."""
        out = []
        for char in raw:
            if char in "\x08\x7f":
                if out:
                    out.pop()
            elif char >= " " or char in "\t\x1a":
                out.append(char)
        return "".join(out)

    def _line(self, line):
        state = self.state
        secret = state.pending
        if secret:
            self._send("\n")
            reply = self._platform.password_entered(state, line)
        else:
            self._send(self._platform.echo(state, line))
            try:
                captures = self._dev.captures
                if captures is not None and state.mode == "exec" and captures.knows(line):
                    text = captures.render(line)
                    state.config.sent.append(text)
                    reply = Reply(text, truncatable=True, page=self._platform.pages(state, line))
                else:
                    reply = self._platform.run(state, line)
            except Exception:  # pylint: disable=broad-exception-caught
                # A lab bug must show up as an answer, not as a hung or dropped session.
                log.exception("device %s: command %r failed", state.host, line)
                reply = Reply("% Internal lab error (see the lab log)\n", slow=False)
        latency = self._dev.spec.faults.latency
        if latency and reply.slow and line.strip() and not secret:
            self._busy = True
            self._timer = asyncio.get_running_loop().call_later(latency, self._finish, reply, True)
            return
        self._finish(reply)

    def _finish(self, reply, resume=False):
        self._busy = False
        self._timer = None
        if self._closed:
            return
        truncate = self._dev.spec.faults.truncate
        if reply.truncatable and self._dev.spec.faults.stream_bytes:
            self._stream(reply.output)
            return
        if reply.truncatable and truncate:
            text = reply.output.replace("\r\n", "\n")
            self._send(text[:int(len(text) * truncate)])
            # A dropped session, as when a device crashes or a link fails:
            # the TCP connection goes away without an SSH goodbye.
            self._closed = True
            self._chan.get_extra_info("connection").abort()
            return
        if reply.close:
            self._close()
            return
        if reply.secret:
            self._send(reply.output)
        else:
            self._emit(self._platform.frame(self.state, reply.output), reply.page)
        if resume:
            self._pump()

    # ---- a configuration that streams steadily (fault ``stream``) ----------
    STREAM_TICK = 0.1

    def _stream(self, text):
        """Send text padded to ``stream_bytes`` in even pieces over ``stream_seconds``, then the prompt."""
        faults = self._dev.spec.faults
        body, _nl, last = text.replace("\r\n", "\n").rstrip("\n").rpartition("\n")
        filler = []
        size, number = len(body) + len(last), 0
        while size < faults.stream_bytes:
            line = f"! streamed filler line {number:08d} " + "x" * 40
            filler.append(line)
            size += len(line) + 1
            number += 1
        data = crlf("\n".join([body] + filler + [last]) + "\n")
        ticks = max(int(faults.stream_seconds / self.STREAM_TICK), 1)
        piece = -(-len(data) // ticks)
        self._busy = True
        loop = asyncio.get_running_loop()

        def send(offset):
            if self._closed:
                return
            try:
                self._chan.write(data[offset:offset + piece])
            except BrokenPipeError:  # the client went away mid-stream
                self._closed = True
                return
            if offset + piece < len(data):
                loop.call_later(self.STREAM_TICK, send, offset + piece)
            else:
                self._busy = False
                self._send(self._prompt())
                self._pump()

        send(0)

    # ---- paging ----------------------------------------------------------
    def _emit(self, text, page=True):
        # sticky_pager: paging cannot be turned off (24 rows whatever the client set).
        length = 24 if self._dev.spec.faults.sticky_pager else self.state.length
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if page and length > 1 and len(lines) > length - 1:
            self._pager = lines
            self._page(length - 1)
        else:
            self._send(text + self._prompt())

    def _page(self, count):
        chunk, self._pager = self._pager[:count], self._pager[count:]
        if self._pager:
            self._send("\n".join(chunk) + "\n" + self._platform.more)
        else:
            self._pager = None
            self._send("\n".join(chunk) + "\n" + self._prompt())

    def _pager_key(self, key):
        more = self._platform.more
        self._send("\b" * len(more) + " " * len(more) + "\b" * len(more))
        if key == " ":
            self._page(max(self.state.length - 1, 1))
        elif key in "\r\n":
            self._page(1)
        else:
            self._pager = None
            self._send(self._prompt())
