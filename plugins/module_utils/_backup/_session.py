# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One login attempt against a device with netmiko, and what its failure means (docs/architecture.md: "The path of one device").

The backup moves to the next credential only when the device rejected the login.
Everything else (nothing listening, a device that never speaks, SSH algorithms the
client cannot agree to, a command that times out, a session cut mid-output) is
about the device or the path to it: another credential cannot help and would only
count against accounts, so it stops the chain. This module maps netmiko's and
paramiko's exceptions onto those outcomes and scrubs the password from messages.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import time
import traceback
from typing import TYPE_CHECKING, Any, Callable, List, Optional, Sequence, Tuple

from ansible_collections.netraven.netraven.plugins.module_utils._backup._device_text import clean_message, clean_output
from ansible_collections.netraven.netraven.plugins.module_utils._errors import short_value
from ansible_collections.netraven.netraven.plugins.module_utils._platforms import GENERIC, profile_for
from ansible_collections.netraven.netraven.plugins.module_utils._backup._session_log import MaskingLog, open_session_log
from ansible_collections.netraven.netraven.plugins.module_utils._backup._unchanged_terminal import unchanged_terminal_driver
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import ErrorType, device_status_for_error

if TYPE_CHECKING:
    from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

try:
    from netmiko import ConnectHandler
    from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException, ReadException, ReadTimeout
    from netmiko.netmiko_globals import MAX_BUFFER
    from netmiko.ssh_dispatcher import CLASS_MAPPER
    import paramiko
    HAS_NETMIKO = True
    NETMIKO_IMPORT_ERROR = None
except ImportError:
    HAS_NETMIKO = False
    NETMIKO_IMPORT_ERROR = traceback.format_exc()

# paramiko logs failed negotiations with tracebacks; with no handler configured Python
# prints them on stderr, in the middle of Ansible's output. The outcome is reported
# through the task result instead.
logging.getLogger("paramiko").addHandler(logging.NullHandler())
logging.getLogger("paramiko").propagate = False

_SSH_NEGOTIATION_HINTS = ("incompatible ssh peer", "no acceptable", "unable to agree", "no matching",
                          "negotiation", "unknown cipher", "kex", "known_hosts", "host key")


class AttemptError(Exception):
    """A failed attempt: error_type (ErrorType) and a one-line, password-free message.

    The message often carries the device's own text (an SSH greeting, netmiko's error
    quoting the output): it is cleaned here (clean_message), once for every path, so it
    is always storable, even on PostgreSQL, which refuses a NUL in text.
    """

    def __init__(self, error_type, message):
        message = clean_message(message)
        super().__init__(message)
        self.error_type = error_type
        self.message = message

    @property
    def status(self):
        """The device status this error gives when it ends the chain."""
        return device_status_for_error(self.error_type)


def _one_line(text, secrets):
    """The first lines of an exception's text, the secrets scrubbed (as sent and as cleaned) before anything is cut."""
    text = str(text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "********")
            if clean_output(secret):
                text = clean_output(text).replace(clean_output(secret), "********")
    lines = [line.strip() for line in clean_output(text).splitlines() if line.strip()]
    return " ".join(lines[:3])[:400] if lines else type(text).__name__


def classify(error, phase, secrets=()):
    """Map an exception raised while connecting ('connect') or reading ('fetch') to an AttemptError."""
    text = str(error)
    lowered = text.lower()
    if isinstance(error, AttemptError):
        return error
    if HAS_NETMIKO and isinstance(error, NetmikoAuthenticationException):
        return AttemptError(ErrorType.AUTH, "Authentication rejected by the device")
    if HAS_NETMIKO and isinstance(error, ReadTimeout):
        return AttemptError(ErrorType.TIMEOUT, "Timed out waiting for the device: " + _one_line(text, secrets))
    if HAS_NETMIKO and isinstance(error, NetmikoTimeoutException):
        if "tcp connection to device failed" in lowered or "dns failure" in lowered:
            return AttemptError(ErrorType.UNREACHABLE, "TCP connection to the device failed (nothing listening or no route)")
        if "known_hosts" in lowered or "host key" in lowered:
            return AttemptError(ErrorType.SSH, "SSH host key verification failed: " + _one_line(text.rsplit("creation:", maxsplit=1)[-1], secrets))
        if "sshexception" in lowered and any(hint in lowered for hint in _SSH_NEGOTIATION_HINTS):
            return AttemptError(ErrorType.SSH, "SSH negotiation failed: " + _one_line(text.rsplit("creation:", maxsplit=1)[-1], secrets))
        return AttemptError(ErrorType.TIMEOUT, "Connection timed out: " + _one_line(text.rsplit("creation:", maxsplit=1)[-1], secrets))
    if HAS_NETMIKO and isinstance(error, paramiko.ssh_exception.SSHException):
        if any(hint in lowered for hint in _SSH_NEGOTIATION_HINTS):
            return AttemptError(ErrorType.SSH, "SSH negotiation failed: " + _one_line(text, secrets))
        if phase == "fetch":
            return AttemptError(ErrorType.TRUNCATED, "The session ended before the configuration was complete: "
                                + _one_line(text, secrets))
        return AttemptError(ErrorType.SSH, "SSH error: " + _one_line(text, secrets))
    if isinstance(error, (EOFError, OSError)) or "socket is closed" in lowered:
        if phase == "fetch":
            return AttemptError(ErrorType.TRUNCATED, "The session ended before the configuration was complete")
        return AttemptError(ErrorType.UNREACHABLE, "Connection failed: " + _one_line(text, secrets))
    return AttemptError(ErrorType.UNEXPECTED, "%s: %s" % (type(error).__name__, _one_line(text, secrets)))


POLL_SECONDS = 0.01


def decode_as_stream(connection):
    """Make netmiko decode the session's bytes as one stream rather than chunk by chunk.

    netmiko decodes every recv() chunk on its own, ignoring errors: a multi-byte UTF-8
    character split between two chunks silently vanishes (a 10 MB configuration with
    Cyrillic or CJK descriptions loses a few dozen characters, and its hash no longer
    matches the device). An incremental decoder keeps an incomplete character for the
    next read, and turns truly invalid bytes into U+FFFD instead of dropping them.
    Applied only to the channel shape it knows (netmiko 4's SSHChannel); otherwise
    netmiko's own decoding stays.
    """
    channel = getattr(connection, "channel", None)
    if channel is None or not hasattr(channel, "read_buffer") or not hasattr(getattr(channel, "remote_conn", None), "recv"):
        return
    decoder = codecs.getincrementaldecoder(getattr(channel, "encoding", None) or "utf-8")("replace")

    def read_buffer():
        remote = channel.remote_conn
        if remote is None:
            raise ReadException("Attempt to read, but there is no active channel.")
        if not remote.recv_ready():
            return ""
        data = remote.recv(MAX_BUFFER)
        if not data:
            raise ReadException("Channel stream closed by remote device.")
        return decoder.decode(data)

    channel.read_buffer = read_buffer


def _channel_closed(connection):
    channel = getattr(connection, "remote_conn", None)
    if channel is None:
        return False
    transport = channel.get_transport() if hasattr(channel, "get_transport") else None
    return bool(getattr(channel, "closed", False) or getattr(channel, "eof_received", False)
                or (transport is not None and not transport.is_active()))


# After a prompt-like last line, how long the channel must stay quiet before the read ends.
PROMPT_QUIET_SECONDS = 0.1
# Escape sequences a prompt line may start with (colour, erase line).
_LEADING_ESCAPES = r"(?:\x1b\[[0-9;?]*[A-Za-z])*"


def prompt_pattern(base_prompt):
    """The prompt as the last line of what was read: at the start of a line, then nothing but blanks.

    Anchored to the line start, a configuration line that merely contains the prompt's
    text ("description uplink to router1#") never matches.
    """
    # Huawei and Comware print "<host>" and, in the system view, "[host]"; netmiko's base prompt is "host".
    return re.compile("\n" + _LEADING_ESCAPES + r"[<\[]?" + re.escape(base_prompt) + r"[^\n]{0,64}[>#%$\]][ \t]*$")


def _ends_on_prompt(prompt, tail, whole):
    """True when the text read so far ends with the prompt standing on a line of its own."""
    return prompt.search(("\n" if whole else "") + tail.replace("\r", "\n")) is not None


def _ended_before_prompt(ended, chunks):
    """True when the text before the prompt line already ends as a complete configuration does."""
    text = "".join(chunks).replace("\r", "\n").rstrip()
    body = text.rsplit("\n", 1)[0] if "\n" in text else ""
    return ended(body) is True


def read_command_output(connection, command, timeout, ended=None):
    """Send command and read until the prompt returns, noticing a dropped session at once.

    netmiko's send_command keeps polling a closed channel until its read timeout, so a
    session cut mid-configuration would look like a slow device and cost the whole
    timeout. This loop checks the channel whenever no data is waiting: a closed channel
    is a truncated configuration, silence past the timeout is a timeout.

    The read ends on the prompt only when it stands on a line of its own after the
    output, and the channel then stays quiet for PROMPT_QUIET_SECONDS: a configuration
    line that looks like the prompt and happens to end one network read is followed at
    once by the rest of the output, while the real prompt is followed by silence.
    Platforms without an end marker would otherwise store the cut configuration as
    complete.

    ``ended`` (the profile's end_found) spares that wait where the platform has an end
    marker: a prompt on its own line right after the configuration's proper end is the
    real prompt, and the read ends at once (the wait cost about 0.24 s per device).
    """
    prompt = prompt_pattern(connection.base_prompt)
    connection.write_channel(command + connection.RETURN)
    chunks = []
    tail = ""
    length = 0
    deadline = time.monotonic() + timeout
    quiet_until = None
    while True:
        data = connection.read_channel()
        if data:
            chunks.append(data)
            length += len(data)
            tail = (tail + data)[-512:]
            quiet_until = time.monotonic() + PROMPT_QUIET_SECONDS if _ends_on_prompt(prompt, tail, length <= 512) else None
            if quiet_until is not None and ended is not None and _ended_before_prompt(ended, chunks):
                break
            continue
        if quiet_until is not None and (time.monotonic() >= quiet_until or _channel_closed(connection)):
            break
        if _channel_closed(connection):
            raise AttemptError(ErrorType.TRUNCATED, "The session ended before the configuration was complete")
        if time.monotonic() > deadline:
            raise AttemptError(ErrorType.TIMEOUT, "No prompt within %s s after '%s'" % (timeout, command))
        time.sleep(POLL_SECONDS)
    output = connection.normalize_linefeeds("".join(chunks))
    output = connection.strip_ansi_escape_codes(output)
    output = connection.strip_command(command, output)
    return connection.strip_prompt(output)


def knows_device_type(device_type) -> bool:
    """True when netmiko has a driver for device_type."""
    return device_type in CLASS_MAPPER


class DeviceSession:
    """Connection settings for one device; ``fetch`` performs a whole attempt with one credential."""

    def __init__(self, host: str, port: int, device_type: str, connect_timeout: float = 10, command_timeout: float = 60,
                 session_log: Optional[str] = None, host_key_checking: bool = False,
                 known_hosts_file: Optional[str] = None, profile: Optional[Profile] = None,
                 marker_key: Optional[bytes] = None) -> None:
        # The device's own profile (the user's platforms file included) masks the session log with the
        # stored copy's markers (``marker_key``), and may ask for an unchanged terminal (keep_terminal).
        self.profile = profile
        self.marker_key = marker_key
        self.host_key_checking = host_key_checking
        self.known_hosts_file = known_hosts_file
        self.host = host
        self.port = port
        self.device_type = device_type
        self.connect_timeout = connect_timeout
        self.command_timeout = command_timeout
        self.session_log = session_log

    def _open_log(self) -> Optional[MaskingLog]:
        """The masked, owner-only session log for one attempt, or None when logging is off."""
        if not self.session_log:
            return None
        try:
            profile = self.profile or profile_for(self.device_type) or GENERIC
            return open_session_log(self.session_log, profile.masker(self.marker_key))
        except OSError as error:
            raise AttemptError(ErrorType.UNEXPECTED, "Cannot open the session log %s: %s (a symbolic link is refused)"
                               % (os.path.basename(self.session_log), error.strerror or error)) from None

    def _connect(self, username: str, password: str, log: Optional[MaskingLog]) -> Any:
        keep = self.profile is not None and self.profile.keep_terminal
        return ((unchanged_terminal_driver(self.device_type) if keep else None) or ConnectHandler)(
            device_type=self.device_type, host=self.host, port=self.port,
            username=username, password=password, secret=password,
            conn_timeout=self.connect_timeout, auth_timeout=self.connect_timeout,
            banner_timeout=self.connect_timeout, timeout=self.command_timeout,
            # Only the credential under test may be offered: keys and agents would add
            # failed logins to the device's (and the account's) record.
            use_keys=False, allow_agent=False, ssh_config_file=None, session_log=log, fast_cli=True,
            # Host keys: strict checking rejects unknown and changed keys (paramiko RejectPolicy).
            ssh_strict=self.host_key_checking, system_host_keys=self.host_key_checking,
            alt_host_keys=bool(self.host_key_checking and self.known_hosts_file),
            alt_key_file=self.known_hosts_file or "",
        )

    def fetch(self, username, password, command):
        """Log in, enter privileged mode when needed, run command; returns (output, seconds)."""
        outputs, seconds = self.fetch_all(username, password, (command,))
        return outputs[0], seconds

    def fetch_all(self, username: str, password: str, commands: Sequence[str], pre_commands: Sequence[str] = (),
                  enable: bool = True, ended: Optional[Callable[[str], Optional[bool]]] = None,
                  fallback: Optional[Callable[[str, str], Optional[str]]] = None) -> Tuple[List[str], float]:
        """One login: run pre_commands (output dropped), then each of commands; returns ([outputs], seconds).

        ``fallback`` (the profile's fallback_for) names the command to send instead when the
        device refused one (IOS without "view full", RouterOS 6 without "show-sensitive").

        ``ended`` (the profile's end_found) applies to the last command, the one whose output
        ends the configuration: its read ends on the prompt at once after a proper end.

        ``enable`` False keeps the session where it logged in: netmiko's enable on Comware is
        system-view, a configuration mode a backup has no business in.
        """
        started = time.monotonic()
        secrets = (password,)
        if not knows_device_type(self.device_type):
            # netmiko's own error lists its 200 platforms; this one names the culprit and the fix.
            raise AttemptError(ErrorType.UNEXPECTED, "Unknown device_type '%s': netmiko has no such platform (correct the "
                               "device with netraven.netraven.device)" % short_value(self.device_type))
        log = self._open_log()
        try:
            connection = self._connect(username, password, log)
        except Exception as error:  # pylint: disable=broad-except
            if log is not None:
                log.close()
            raise classify(error, "connect", secrets) from None
        try:
            decode_as_stream(connection)
            try:
                if enable and not connection.check_enable_mode():
                    connection.enable()
            except Exception:  # pylint: disable=broad-except
                pass  # Platforms without an enable mode (JunOS) or accounts that land privileged.
            for command in pre_commands:
                read_command_output(connection, command, self.command_timeout)
            last = len(commands) - 1
            outputs = []
            for index, command in enumerate(commands):
                output = read_command_output(connection, command, self.command_timeout, ended if index == last else None)
                instead = fallback(command, output) if fallback is not None else None
                if instead:
                    output = read_command_output(connection, instead, self.command_timeout,
                                                 ended if index == last else None)
                outputs.append(clean_output(output))
        except Exception as error:  # pylint: disable=broad-except
            raise classify(error, "fetch", secrets) from None
        finally:
            try:
                connection.disconnect()
            except Exception:  # pylint: disable=broad-except
                pass
            if log is not None:
                log.close()
        return outputs, time.monotonic() - started
