# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netmiko's driver of a device type, with what NetRaven needs from a login mixed in.

``connect_handler`` is netmiko's ConnectHandler with a subclass of the device type's own
driver class (made once per class) in front of it. The subclass changes five things:

- the paramiko connection of a ``legacy_ssh`` device gets its own Transport class
  (``transport_factory``, see _ssh_algorithms);
- ``find_prompt`` records the prompt the device showed (``netraven_prompt``), which the
  command read then waits for, whatever its shape (_command_read);
- after the enable secret is sent, a device that asks for it again or says it was denied
  raises EnableRejected at once, instead of netmiko waiting 10 s for a prompt and then
  failing as if nothing had been said; the device's answer to ``enable`` is kept
  (``netraven_enable_output``, and the last read up to a prompt, ``netraven_last_read``)
  to name why an unprivileged account cannot enable;
- a telnet login is tried once: netmiko's loop sends the same username and password
  again and again after a refusal, each a failed login on the device's record. A refusal
  is the device asking for a login again, or closing the session, after the password;
- the session ends by closing its channel, without netmiko's exit dialogue (``cleanup``).
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any, Dict, Optional, cast

from ansible_collections.netraven.netraven.plugins.module_utils._backup._unchanged_terminal import unchanged_terminal_driver

try:
    from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException
    from netmiko.ssh_dispatcher import CLASS_MAPPER
    HAS_NETMIKO = True
except ImportError:  # pragma: no cover - the session reports the missing library
    HAS_NETMIKO = False

if TYPE_CHECKING:
    from netmiko.base_connection import BaseConnection as _DriverBase
else:
    # At run time the mixin stands in front of the device type's driver class (connection_class):
    # its super() calls reach that class. mypy checks it against netmiko's BaseConnection.
    _DriverBase = object

# A line that mentions the password but is a message, not a prompt for it.
NOT_A_PROMPT = re.compile(r"%|error|invalid|no password|not set", re.IGNORECASE)
# What devices answer to a wrong enable secret, besides asking for it again.
ENABLE_REJECTED = re.compile(r"denied|bad secret|incorrect|invalid password|authentication failed|% ?error", re.IGNORECASE)
TELNET_USERNAME = re.compile(r"(?:user:|username|login|user name)\s*:?\s*$", re.IGNORECASE)
TELNET_PASSWORD = re.compile(r"assword\s*:?\s*$", re.IGNORECASE)
PROMPT_END = re.compile(r"[>#%$\]]\s*$")
TELNET_POLL_SECONDS = 0.05


class EnableRejected(Exception):
    """The device refused the enable secret (asked for it again, or said it was denied)."""


def _last_line(text: str) -> str:
    return text.replace("\r", "\n").rstrip(" ").rsplit("\n", 1)[-1]


class NetRavenConnection(_DriverBase):
    """Mixed in front of a netmiko driver class; see the module docstring."""

    netraven_transport_factory: Any = None
    netraven_prompt: Optional[str] = None
    netraven_enable_output: str = ""
    netraven_last_read: str = ""

    def _connect_params_dict(self) -> Dict[str, Any]:
        params = super()._connect_params_dict()
        if self.netraven_transport_factory is not None:
            params["transport_factory"] = self.netraven_transport_factory
        return params

    def find_prompt(self, *args: Any, **kwargs: Any) -> str:
        prompt = super().find_prompt(*args, **kwargs)
        self.netraven_prompt = prompt
        return prompt

    def read_until_prompt(self, *args: Any, **kwargs: Any) -> str:
        output = super().read_until_prompt(*args, **kwargs)
        self.netraven_last_read = output
        return output

    def enable_secret_handler(self, pattern: str, output: str, re_flags: int = re.IGNORECASE) -> str:
        self.netraven_enable_output = output
        # Only an actual prompt for the secret gets it: a last line that matches and is no error
        # message. "% No password set" matches "ssword" too, and a secret typed as a command
        # would be echoed, and kept in the device's command accounting.
        last = output.replace("\r", "\n").rstrip().rsplit("\n", 1)[-1].strip()
        if not re.search(pattern, last, flags=re_flags) or NOT_A_PROMPT.match(last):
            return ""
        self.write_channel(self.normalize_cmd(self.secret))
        answer = self.read_until_prompt_or_pattern(pattern=pattern, re_flags=re_flags)
        if re.search(pattern, answer, flags=re_flags) or ENABLE_REJECTED.search(answer):
            raise EnableRejected()
        return answer

    def cleanup(self, *args: Any, **kwargs: Any) -> None:
        """No goodbye dialogue: disconnect() closes the channel, which ends the device's session.

        netmiko's cleanup leaves configuration mode and sends ``exit``, reading for a prompt each
        time (up to 10 s): after a refused enable secret the device still waits for one, and a
        VRP8 user-view prompt ``[~host]`` reads as configuration mode, so each costs 10 s or more.
        """

    def telnet_login(self, *args: Any, **kwargs: Any) -> str:
        """One telnet login: username and password when asked, then the prompt or a refusal; never a second try."""
        deadline = time.monotonic() + float(getattr(self, "conn_timeout", 10))
        output, answered_at = "", None
        while time.monotonic() < deadline:
            try:
                data = self.read_channel()
            except EOFError:
                if answered_at is not None:
                    raise NetmikoAuthenticationException("Login failed: the device closed the telnet session after the password") from None
                raise
            if not data:
                time.sleep(TELNET_POLL_SECONDS)
                continue
            output += data
            last = _last_line(output)
            if answered_at is not None:
                if TELNET_USERNAME.search(last) or TELNET_PASSWORD.search(last):
                    raise NetmikoAuthenticationException("Login failed: the device refused the telnet login")
                if PROMPT_END.search(last):
                    return output
            elif TELNET_PASSWORD.search(last):
                self.write_channel((self.password or "") + "\r")
                answered_at = len(output)
            elif TELNET_USERNAME.search(last):
                self.write_channel(self.username + "\r")
                output = ""
            elif PROMPT_END.search(last):
                return output
        raise NetmikoTimeoutException("Telnet login timed out: no prompt within %s s" % getattr(self, "conn_timeout", 10))


_CLASSES: Dict[type, type[NetRavenConnection]] = {}


def connection_class(device_type: str, keep_terminal: bool = False) -> type[NetRavenConnection]:
    """The device type's netmiko driver class with NetRavenConnection in front (made once per class).

    keep_terminal: the type's driver that leaves the terminal settings as they are, where there is
    one (_unchanged_terminal: FortiOS's console).
    """
    base = (unchanged_terminal_driver(device_type) if keep_terminal else None) or CLASS_MAPPER[device_type]
    cls = _CLASSES.get(base)
    if cls is None:
        cls = _CLASSES[base] = cast("type[NetRavenConnection]", type("NetRaven" + base.__name__, (NetRavenConnection, base), {}))
    return cls


def connect_handler(device_type: str, transport_factory: Any = None, keep_terminal: bool = False,
                    **kwargs: Any) -> NetRavenConnection:
    """Log in as netmiko's ConnectHandler does, with NetRaven's driver class (and a Transport class, for legacy SSH)."""
    connection = connection_class(device_type, keep_terminal)(device_type=device_type, auto_connect=False, **kwargs)
    connection.netraven_transport_factory = transport_factory
    connection._open()  # pylint: disable=protected-access
    return connection
