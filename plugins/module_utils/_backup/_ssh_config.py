# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An OpenSSH client config (ssh_config_file): its proxy and algorithm settings for one device.

Teams that already describe their network in ``~/.ssh/config`` (ProxyJump per site, the
algorithms an old segment needs) keep it: the backup looks the device up by its hostname
(the inventory name) and applies, as OpenSSH would:

- ``ProxyCommand``, run as the device's socket, and ``ProxyJump`` (any number of hops), run
  as ``ssh -F <file> -W <address>:<port> -J ... <last hop>``, so each hop gets the file's own
  settings (and OpenSSH's own host key checking);
- ``KexAlgorithms``, ``HostKeyAlgorithms``, ``Ciphers``, ``MACs`` and ``PubkeyAcceptedAlgorithms``
  (plain lists, ``+`` append, ``-`` remove, ``^`` prepend), which narrow what the device may
  negotiate; a SHA-1 era algorithm named there makes the device a legacy_ssh one.

The address and port are the database's: the lookup sees ``HostName <address>`` and
``Port <port>`` first, so ``%h`` and ``%p`` in a ProxyCommand expand to them. A NetRaven jump
host, when the device has one, wins over the file's proxy. User, IdentityFile and the other
settings do not apply: the credentials come from the database.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import io
import shlex
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.netraven.netraven.plugins.module_utils._backup._attempt_error import AttemptError
from ansible_collections.netraven.netraven.plugins.module_utils._backup._ssh_algorithms import offered
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import ErrorType

try:
    import paramiko
    HAS_PARAMIKO = True
except ImportError:  # pragma: no cover - netmiko brings paramiko
    HAS_PARAMIKO = False

# OpenSSH keyword (lower case, as paramiko returns it) -> paramiko's kind of algorithm.
ALGORITHM_KEYWORDS = {"kexalgorithms": "kex", "hostkeyalgorithms": "keys", "ciphers": "ciphers", "macs": "macs",
                      "pubkeyacceptedalgorithms": "pubkeys", "pubkeyacceptedkeytypes": "pubkeys"}
_CACHE: Dict[str, Tuple[float, str]] = {}


@dataclasses.dataclass(frozen=True)
class SshConfigSettings:
    """What an OpenSSH config says for one device: the proxy command line, and the allowed algorithms by kind."""

    proxy_command: Optional[str] = None
    allowed: Optional[Dict[str, List[str]]] = None

    def proxy_socket(self) -> Any:
        """A paramiko ProxyCommand for the device's socket, or None."""
        return paramiko.ProxyCommand(self.proxy_command) if self.proxy_command else None


def _text(path: str) -> str:
    """The file's text, read again only when it changed (a run reads it once per worker)."""
    import os  # pylint: disable=import-outside-toplevel

    try:
        mtime = os.stat(path).st_mtime
        cached = _CACHE.get(path)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise AttemptError(ErrorType.UNEXPECTED, "Cannot read ssh_config_file %s: %s" % (path, getattr(error, "strerror", None) or error)) from None
    _CACHE[path] = (mtime, text)
    return text


def algorithm_list(value: str, default: List[str]) -> List[str]:
    """An OpenSSH algorithm list over a default: a plain list, or +append, -remove (patterns), ^prepend."""
    value = value.strip()
    names = [name.strip() for name in value[1:].split(",") if name.strip()] if value[:1] in "+-^" else []
    if value.startswith("+"):
        return default + [name for name in names if name not in default]
    if value.startswith("-"):
        return [name for name in default if not any(fnmatch.fnmatchcase(name, pattern) for pattern in names)]
    if value.startswith("^"):
        return names + [name for name in default if name not in names]
    return [name.strip() for name in value.split(",") if name.strip()]


def _proxy_jump(path: str, jumps: str, address: str, port: int) -> str:
    hops = [hop.strip() for hop in jumps.split(",") if hop.strip()]
    command = ["ssh", "-F", path, "-o", "BatchMode=yes", "-W", "%s:%d" % (address, port)]
    if len(hops) > 1:
        command += ["-J", ",".join(hops[:-1])]
    return " ".join(shlex.quote(part) for part in command + [hops[-1]])


def settings_for(path: str, hostname: str, address: str, port: int) -> SshConfigSettings:
    """The proxy and algorithm settings of the file for the device called hostname at address:port."""
    config = paramiko.SSHConfig()
    try:
        config.parse(io.StringIO("Host %s\n    HostName %s\n    Port %d\n\n%s" % (hostname, address, port, _text(path))))
        found = config.lookup(hostname)
    except Exception as error:  # pylint: disable=broad-except
        raise AttemptError(ErrorType.UNEXPECTED, "ssh_config_file %s cannot be read as an OpenSSH client config: %s"
                           % (path, error)) from None
    proxy = None
    if found.get("proxycommand") and found["proxycommand"].lower() != "none":
        proxy = found["proxycommand"]
    elif found.get("proxyjump") and found["proxyjump"].lower() != "none":
        proxy = _proxy_jump(path, found["proxyjump"], address, port)
    allowed: Dict[str, List[str]] = {}
    for keyword, kind in ALGORITHM_KEYWORDS.items():
        if keyword in found and kind not in allowed:
            allowed[kind] = algorithm_list(found[keyword], offered(kind, legacy=False))
    return SshConfigSettings(proxy, allowed or None)
