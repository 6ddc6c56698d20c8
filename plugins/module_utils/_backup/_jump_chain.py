# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SSH connections to a device's jump hosts, opened once per device, and the channels through them.

A device behind jump hosts is reached as ``ssh -J outer,inner device`` reaches it: the
backup logs in to the outermost jump host with that jump host's own credential, opens a
``direct-tcpip`` channel from it to the next one, logs in there over that channel, and so
on; each login attempt on the device then gets a fresh channel from the innermost jump host
to the device (netmiko's ``sock``). Each jump host's host key is checked like a device's.

Everything here is about the way to the device, not about the device's credentials: any
failure is an AttemptError marked ``route`` that names the jump host, and the attempt loop
fails the device at once, before (or instead of) trying its credentials. The way is checked
first, with the first channel to the device opened, before any device credential is claimed.
"""

from __future__ import annotations

import dataclasses
import socket
from typing import Any, List, Optional, Sequence

from ansible_collections.netraven.netraven.plugins.module_utils._backup._attempt_error import AttemptError
from ansible_collections.netraven.netraven.plugins.module_utils._backup._private_keys import paramiko_key
from ansible_collections.netraven.netraven.plugins.module_utils._backup._ssh_algorithms import disabled_algorithms
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import ErrorType

try:
    import paramiko
    HAS_PARAMIKO = True
except ImportError:  # pragma: no cover - netmiko brings paramiko
    HAS_PARAMIKO = False


@dataclasses.dataclass(frozen=True)
class Hop:
    """One jump host on the way, outermost first: where it is and its login (sealed values, never in a repr)."""

    name: str
    host: str
    port: int
    username: str
    password: Optional[str] = dataclasses.field(default=None, repr=False)
    private_key: Optional[str] = dataclasses.field(default=None, repr=False)
    private_key_passphrase: Optional[str] = dataclasses.field(default=None, repr=False)

    def describe(self) -> str:
        return "jump host '%s' (%s:%d)" % (self.name, self.host, self.port)


def _first_line(error: BaseException, secrets: Sequence[str]) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    for secret in secrets:
        if secret:
            text = text.replace(secret, "********")
    return text[:300]


class JumpChain:
    """Logged-in connections to the hops, outermost first; ``channel_to`` the device through the innermost."""

    def __init__(self, hops: Sequence[Hop], secret_box: Any, connect_timeout: int, host_key_checking: bool,
                 known_hosts_file: Optional[str]) -> None:
        self.hops = list(hops)
        self.secret_box = secret_box
        self.connect_timeout = connect_timeout
        self.host_key_checking = host_key_checking
        self.known_hosts_file = known_hosts_file
        self.clients: List[Any] = []
        self._ready: Optional[Any] = None

    def _client(self) -> Any:
        client = paramiko.SSHClient()
        if self.host_key_checking:
            client.load_system_host_keys()
            if self.known_hosts_file:
                try:
                    client.load_host_keys(self.known_hosts_file)
                except OSError:
                    pass
            client.set_missing_host_key_policy(paramiko.RejectPolicy())
        else:
            client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        return client

    def _login(self, hop: Hop, sock: Any) -> Any:
        """Log in to one hop (over sock: a channel from the previous hop); raises a route AttemptError naming it."""
        password, key_text, passphrase = [self.secret_box.decrypt(token) if token else None for token in
                                          (hop.password, hop.private_key, hop.private_key_passphrase)]
        secrets = [secret for secret in (password, passphrase) if secret]
        pkey = paramiko_key(key_text, passphrase) if key_text else None
        client = self._client()
        try:
            client.connect(hop.host, port=hop.port, username=hop.username, password=password, pkey=pkey, sock=sock,
                           timeout=self.connect_timeout, auth_timeout=self.connect_timeout,
                           banner_timeout=self.connect_timeout, channel_timeout=self.connect_timeout,
                           look_for_keys=False, allow_agent=False, disabled_algorithms=disabled_algorithms(False))
        except paramiko.AuthenticationException as error:
            client.close()
            if "timeout" in str(error).lower():
                raise AttemptError(ErrorType.TIMEOUT, "The %s did not answer its login in time" % hop.describe(), route=True) from None
            raise AttemptError(ErrorType.SSH, "The %s refused its own login (username '%s')" % (hop.describe(), hop.username),
                               route=True) from None
        except paramiko.BadHostKeyException:
            client.close()
            raise AttemptError(ErrorType.SSH, "The %s has a changed SSH host key" % hop.describe(), route=True) from None
        except (socket.timeout, TimeoutError) as error:
            client.close()
            raise AttemptError(ErrorType.UNREACHABLE, "The %s did not answer: %s" % (hop.describe(), _first_line(error, secrets)),
                               route=True) from None
        except paramiko.SSHException as error:
            client.close()
            text = _first_line(error, secrets)
            kind = "SSH host key verification failed" if "known_hosts" in text or "host key" in text.lower() else "SSH failed"
            raise AttemptError(ErrorType.SSH, "The %s: %s: %s" % (hop.describe(), kind, text), route=True) from None
        except (OSError, EOFError) as error:
            client.close()
            raise AttemptError(ErrorType.UNREACHABLE, "The %s is unreachable: %s" % (hop.describe(), _first_line(error, secrets)),
                               route=True) from None
        return client

    def _channel(self, client: Any, hop: Hop, host: str, port: int, what: str) -> Any:
        try:
            return client.get_transport().open_channel("direct-tcpip", (host, port), ("127.0.0.1", 0),
                                                       timeout=self.connect_timeout)
        except (paramiko.SSHException, OSError, EOFError) as error:
            raise AttemptError(ErrorType.UNREACHABLE, "The %s could not connect to %s (%s:%d): %s" % (
                hop.describe(), what, host, port, _first_line(error, ())), route=True) from None

    def open(self, host: str, port: int) -> None:
        """Log in to every hop and open the first channel to the device; raises a route AttemptError."""
        sock = None
        for index, hop in enumerate(self.hops):
            if index:
                previous = self.hops[index - 1]
                sock = self._channel(self.clients[-1], previous, hop.host, hop.port, "the %s" % hop.describe())
            self.clients.append(self._login(hop, sock))
        self._ready = self.channel_to(host, port)

    def channel_to(self, host: str, port: int) -> Any:
        """A channel to the device through the innermost jump host (the one open() prepared, first)."""
        if self._ready is not None:
            channel, self._ready = self._ready, None
            return channel
        return self._channel(self.clients[-1], self.hops[-1], host, port, "the device")

    def close(self) -> None:
        """Close the hops, innermost first."""
        if self._ready is not None:
            self._ready.close()
            self._ready = None
        for client in reversed(self.clients):
            try:
                client.close()
            except Exception:  # pylint: disable=broad-except
                pass
        self.clients = []
