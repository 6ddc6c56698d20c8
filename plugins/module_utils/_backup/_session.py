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
import time
import traceback
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple

from ansible_collections.netraven.netraven.plugins.module_utils._backup._attempt_error import AttemptError
from ansible_collections.netraven.netraven.plugins.module_utils._backup._command_read import read_command_output
from ansible_collections.netraven.netraven.plugins.module_utils._backup._device_text import clean_message, clean_output
from ansible_collections.netraven.netraven.plugins.module_utils._backup._jump_chain import JumpChain
from ansible_collections.netraven.netraven.plugins.module_utils._backup._reach import DIRECT, Reach
from ansible_collections.netraven.netraven.plugins.module_utils._backup._ssh_algorithms import (
    LEGACY_HINT,
    LegacyTransport,
    disabled_algorithms,
    legacy_key,
    needs_legacy,
)
from ansible_collections.netraven.netraven.plugins.module_utils._backup._ssh_config import SshConfigSettings, settings_for
from ansible_collections.netraven.netraven.plugins.module_utils._errors import short_value
from ansible_collections.netraven.netraven.plugins.module_utils._platforms import GENERIC, profile_for
from ansible_collections.netraven.netraven.plugins.module_utils._backup._session_log import MaskingLog, open_session_log
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import ErrorType

if TYPE_CHECKING:
    from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

try:
    from ansible_collections.netraven.netraven.plugins.module_utils._backup._netmiko_driver import EnableRejected
    from ansible_collections.netraven.netraven.plugins.module_utils._backup._netmiko_driver import connect_handler as ConnectHandler
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

# The message of a plain rejected login (a password or a key the device refused).
REJECTED_MESSAGE = "Authentication rejected by the device"
_SSH_NEGOTIATION_HINTS = ("incompatible ssh peer", "no acceptable", "unable to agree", "no matching",
                          "negotiation", "unknown cipher", "kex", "known_hosts", "host key")


def _one_line(text: Any, secrets: Sequence[Optional[str]]) -> str:
    """The first lines of an exception's text, the secrets scrubbed (as sent and as cleaned) before anything is cut."""
    text = str(text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "********")
            if clean_output(secret):
                text = clean_output(text).replace(clean_output(secret), "********")
    lines = [line.strip() for line in clean_output(text).splitlines() if line.strip()]
    return " ".join(lines[:3])[:400] if lines else type(text).__name__


def _negotiation_message(text: str, secrets: Sequence[str], legacy: bool) -> str:
    """An SSH negotiation failure in one line; where SHA-1 era SSH would help, the hint that names legacy_ssh."""
    message = "SSH negotiation failed: " + _one_line(text, secrets)
    lowered = text.lower()
    if not legacy and "known_hosts" not in lowered and "verification" not in lowered and any(
            hint in lowered for hint in ("kex", "host key", "cipher", "no acceptable", "incompatible ssh peer")):
        message += "; " + LEGACY_HINT
    return message


def classify(error: BaseException, phase: str, secrets: Sequence[str] = (), legacy: bool = False) -> AttemptError:
    """Map an exception raised while connecting ('connect') or reading ('fetch') to an AttemptError.

    Only the device's explicit rejection of a login moves the chain on (ErrorType.AUTH). An
    authentication that times out (a slow TACACS/ISE) or a connection closed during it is
    not a rejection: paramiko raises AuthenticationException("Authentication timeout.") and
    "transport shut down or saw EOF" for them, which netmiko wraps as a rejection; here they
    are a timeout and an SSH failure, which stop the chain and count against no credential.
    """
    text = str(error)
    lowered = text.lower()
    if isinstance(error, AttemptError):
        return error
    if HAS_NETMIKO and isinstance(error, NetmikoAuthenticationException):
        if "authentication timeout" in lowered:
            return AttemptError(ErrorType.TIMEOUT, "Authentication timed out: the device (or its AAA server) did not "
                                "answer the login in time; no further credential is tried")
        if "saw eof" in lowered or "transport shut down" in lowered:
            return AttemptError(ErrorType.SSH, "The device closed the connection during authentication; no further "
                                "credential is tried")
        return AttemptError(ErrorType.AUTH, REJECTED_MESSAGE)
    if HAS_NETMIKO and isinstance(error, ReadTimeout):
        return AttemptError(ErrorType.TIMEOUT, "Timed out waiting for the device: " + _one_line(text, secrets))
    if HAS_NETMIKO and isinstance(error, NetmikoTimeoutException):
        detail = text.rsplit("creation:", maxsplit=1)[-1]
        if "tcp connection to device failed" in lowered or "dns failure" in lowered:
            return AttemptError(ErrorType.UNREACHABLE, "TCP connection to the device failed (nothing listening or no route)")
        if "incompatible ssh peer" in lowered or "no acceptable" in lowered:
            return AttemptError(ErrorType.SSH, _negotiation_message(detail, secrets, legacy))
        if "known_hosts" in lowered or "host key" in lowered:
            return AttemptError(ErrorType.SSH, "SSH host key verification failed: " + _one_line(detail, secrets))
        if "sshexception" in lowered and any(hint in lowered for hint in _SSH_NEGOTIATION_HINTS):
            return AttemptError(ErrorType.SSH, _negotiation_message(detail, secrets, legacy))
        if "telnet login timed out" in lowered:
            return AttemptError(ErrorType.TIMEOUT, _one_line(text, secrets))
        return AttemptError(ErrorType.TIMEOUT, "Connection timed out: " + _one_line(detail, secrets))
    if HAS_NETMIKO and isinstance(error, paramiko.ssh_exception.SSHException):
        if any(hint in lowered for hint in _SSH_NEGOTIATION_HINTS):
            return AttemptError(ErrorType.SSH, _negotiation_message(text, secrets, legacy))
        if phase == "fetch":
            return AttemptError(ErrorType.TRUNCATED, "The session ended before the configuration was complete: "
                                + _one_line(text, secrets))
        return AttemptError(ErrorType.SSH, "SSH error: " + _one_line(text, secrets))
    if isinstance(error, (EOFError, OSError)) or "socket is closed" in lowered:
        if phase == "fetch":
            return AttemptError(ErrorType.TRUNCATED, "The session ended before the configuration was complete")
        return AttemptError(ErrorType.UNREACHABLE, "Connection failed: " + _one_line(text, secrets))
    return AttemptError(ErrorType.UNEXPECTED, "%s: %s" % (type(error).__name__, _one_line(text, secrets)))


def decode_as_stream(connection: Any) -> None:
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

    def read_buffer() -> str:
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


def knows_device_type(device_type: str) -> bool:
    """True when netmiko has a driver for device_type."""
    return device_type in CLASS_MAPPER


def _privileged(connection: Any) -> bool:
    try:
        return bool(connection.check_enable_mode())
    except Exception:  # pylint: disable=broad-except
        return False


def enter_enable(connection: Any) -> None:
    """Privileged mode, when the account did not land there; a refusal is a rejected credential.

    The device refusing the enable secret ("enable rejected"), and an account that lands
    unprivileged and cannot enable (no enable password set, or not allowed), both fail the
    attempt as ErrorType.AUTH: the chain moves on, as a later credential may have privilege 15.
    Platforms without an enable mode report themselves privileged (netmiko's check_enable_mode).
    """
    if _privileged(connection):
        return
    try:
        connection.enable()
    except EnableRejected:
        raise AttemptError(ErrorType.AUTH, "Enable rejected: the device refused this credential's enable secret "
                           "(set enable_secret when it differs from the login password)") from None
    except Exception:  # pylint: disable=broad-except
        pass  # judged below: still unprivileged or not
    # The answer to enable, and the rest of it netmiko's own privilege check read (it may come in two reads).
    said = (getattr(connection, "netraven_enable_output", "") or "") + (getattr(connection, "netraven_last_read", "") or "")
    if not _privileged(connection):
        said = _device_said(said, getattr(connection, "base_prompt", "") or "\0")
        raise AttemptError(ErrorType.AUTH, "Logged in unprivileged and cannot enable%s" % (
            ": the device said '%s'" % said[:120] if said else ""))


def _device_said(text: str, base_prompt: str) -> str:
    """The device's answer to enable: its first line that is neither the echoed command nor a prompt."""
    for line in clean_output(text).replace("\r", "\n").split("\n"):
        line = line.strip()
        if line and not line.lower().startswith("enable") and base_prompt not in line:
            return clean_message(line)
    return ""


class DeviceSession:
    """Connection settings for one device; ``fetch`` performs a whole attempt with one credential.

    ``reach`` is the way to the device (telnet, legacy SSH, an OpenSSH config); ``jump`` the
    opened jump host chain each attempt gets a fresh channel from; ``hostname`` the name the
    OpenSSH config is looked up by. The device's own ``profile`` (the user's platforms file
    included) masks the session log with the stored copy's markers (``marker_key``), and may
    ask for an unchanged terminal (``keep_terminal``).
    """

    def __init__(self, host: str, port: int, device_type: str, connect_timeout: int = 10, command_timeout: int = 60,
                 session_log: Optional[str] = None, host_key_checking: bool = False,
                 known_hosts_file: Optional[str] = None, reach: Reach = DIRECT, jump: Optional[JumpChain] = None,
                 hostname: Optional[str] = None, profile: Optional[Profile] = None,
                 marker_key: Optional[bytes] = None) -> None:
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
        self.reach = reach
        self.jump = jump
        self.hostname = hostname or host

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

    def _ssh_settings(self) -> Tuple[Any, Dict[str, List[str]], Any, bool]:
        """(socket, disabled_algorithms, transport factory, legacy) of an SSH login: jump hosts, OpenSSH config, algorithms.

        A modern device never negotiates a SHA-1 era algorithm; a legacy_ssh one (or one whose
        OpenSSH config names such an algorithm) gets paramiko's LegacyTransport for itself.
        """
        config = (settings_for(self.reach.ssh_config_file, self.hostname, self.host, self.port)
                  if self.reach.ssh_config_file else SshConfigSettings())
        legacy = self.reach.legacy_ssh or needs_legacy(config.allowed)
        sock = self.jump.channel_to(self.host, self.port) if self.jump is not None else config.proxy_socket()
        return sock, disabled_algorithms(legacy, config.allowed), LegacyTransport if legacy else None, legacy

    def _connect_args(self, username: str, password: Optional[str], enable_secret: Optional[str], pkey: Any,
                      log: Any) -> Dict[str, Any]:
        """Every argument of the netmiko connection, assembled here and nowhere else."""
        args = dict(
            device_type=self.device_type, host=self.host, port=self.port,
            username=username, password=password, secret=enable_secret if enable_secret is not None else (password or ""),
            conn_timeout=self.connect_timeout, auth_timeout=self.connect_timeout,
            banner_timeout=self.connect_timeout, timeout=self.command_timeout,
            # Only the credential under test may be offered: agents and the controller's own keys
            # would add failed logins to the device's (and the account's) record.
            use_keys=False, allow_agent=False, ssh_config_file=None, session_log=log, fast_cli=True,
            # Host keys: strict checking rejects unknown and changed keys (paramiko RejectPolicy).
            ssh_strict=self.host_key_checking, system_host_keys=self.host_key_checking,
            alt_host_keys=bool(self.host_key_checking and self.known_hosts_file),
            alt_key_file=self.known_hosts_file or "",
        )
        if self.profile is not None and self.profile.keep_terminal:
            args["keep_terminal"] = True  # a driver that leaves the terminal settings as they are (_unchanged_terminal)
        if self.reach.telnet:
            # netmiko's telnet driver of the type; the platform profile stays the type's own.
            args["device_type"] = self.device_type + "_telnet"
            return args
        sock, disabled, transport_factory, legacy = self._ssh_settings()
        args.update(sock=sock, disabled_algorithms=disabled, transport_factory=transport_factory,
                    pkey=legacy_key(pkey) if legacy and pkey is not None else pkey)
        return args

    def fetch(self, username: str, password: Optional[str], command: str) -> Tuple[str, float]:
        """Log in, enter privileged mode when needed, run command; returns (output, seconds)."""
        outputs, seconds = self.fetch_all(username, password, (command,))
        return outputs[0], seconds

    def fetch_all(self, username: str, password: Optional[str], commands: Sequence[str], pre_commands: Sequence[str] = (),
                  enable: bool = True, ended: Optional[Callable[[str], Optional[bool]]] = None,
                  enable_secret: Optional[str] = None, pkey: Any = None,
                  fallback: Optional[Callable[[str, str], Optional[str]]] = None) -> Tuple[List[str], float]:
        """One login: run pre_commands (output dropped), then each of commands; returns ([outputs], seconds).

        ``fallback`` (the profile's fallback_for) names the command to send instead when the
        device refused one (IOS without "view full", RouterOS 6 without "show-sensitive").

        ``password`` may be None with ``pkey`` (a key-only login); with both, the key is offered
        first, as OpenSSH does. ``enable_secret`` None: the login password is the enable secret.

        ``ended`` (the profile's end_found) applies to the last command, the one whose output
        ends the configuration: its read ends on the prompt at once after a proper end.

        ``enable`` False keeps the session where it logged in: netmiko's enable on Comware is
        system-view, a configuration mode a backup has no business in.
        """
        started = time.monotonic()
        secrets = tuple(secret for secret in (password, enable_secret) if secret)
        if not knows_device_type(self.device_type):
            # netmiko's own error lists its 200 platforms; this one names the culprit and the fix.
            raise AttemptError(ErrorType.UNEXPECTED, "Unknown device_type '%s': netmiko has no such platform (correct the "
                               "device with netraven.netraven.device)" % short_value(self.device_type))
        if self.reach.telnet and not knows_device_type(self.device_type + "_telnet"):
            raise AttemptError(ErrorType.UNEXPECTED, "transport telnet: netmiko has no telnet driver for device_type '%s'"
                               % short_value(self.device_type))
        log = self._open_log()
        try:
            connection = ConnectHandler(**self._connect_args(username, password, enable_secret, pkey, log))
        except Exception as error:  # pylint: disable=broad-except
            if log is not None:
                log.close()
            raise classify(error, "connect", secrets, self.reach.legacy_ssh) from None
        try:
            decode_as_stream(connection)
            if enable:
                enter_enable(connection)
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
