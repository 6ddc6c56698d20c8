# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules for names that become paths or Ansible host names (docs/hardening.md, "Names").

One rule, one place: the device and tag modules refuse such names when they are written, and
the readers that turn names into paths or hosts (the git export, the inventory) apply the same
rules to every row, because rows written by other tools or older releases were never checked.

- **Path-safe names.** A device's hostname becomes ``<hostname>.cfg`` in the git export, and a
  tag's name a folder in its tag layout. A name with ``/`` or ``\\``, a leading ``.`` or ``-``,
  ``..`` anywhere, or a control character could climb out of the tree (``../../x``), name an
  absolute path (``/etc/x``), hide a file (``.hidden``), or read as an option to a command
  (``-x``); it is refused.
- **Reserved host names.** ``localhost``, ``127.0.0.1`` and ``::1`` are Ansible's implicit
  localhost. A device of that name would become the host that ``delegate_to: localhost`` and the
  plays over localhost run on, with its own address and port: the job start, its finish and the
  git export would then run over SSH at that address, offering the controller's SSH login there.
"""

from __future__ import annotations

import re
from typing import Optional

from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError

# Ansible's implicit localhost names (ansible.constants.LOCALHOST), compared ignoring case.
RESERVED_HOST_NAMES = frozenset(("localhost", "127.0.0.1", "::1"))

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# How much of a bad name a message quotes.
_SHOWN = 64


def unsafe_path_reason(name: str) -> Optional[str]:
    """Why name cannot be one path component inside a tree; None when it can."""
    if not name:
        return "it is empty"
    control = _CONTROL.search(name)
    if control:
        return "it contains the control character %r" % control.group(0)
    for separator in ("/", "\\"):
        if separator in name:
            return "it contains %r" % separator
    if ".." in name:
        return "it contains '..'"
    if name[0] in ".-":
        return "it starts with %r" % name[0]
    return None


def is_reserved_host_name(name: str) -> bool:
    """True for Ansible's implicit localhost names (localhost, 127.0.0.1, ::1), ignoring case and blanks."""
    return str(name).strip().lower() in RESERVED_HOST_NAMES


def _shown(name: str) -> str:
    return repr(name if len(name) <= _SHOWN else name[:_SHOWN] + "...")


def check_path_safe(what: str, name: str) -> str:
    """name when it is safe as a path component, else one line naming it and the rule."""
    reason = unsafe_path_reason(name)
    if reason:
        raise ValidationError("%s %s is not allowed: %s (names become file and folder names in the git export: "
                              "no '/', '\\', '..', control characters, or leading '.' or '-')" % (
                                  what, _shown(name), reason))
    return name


def check_device_name(hostname: str) -> str:
    """A device hostname that is path-safe and not one of Ansible's implicit localhost names."""
    check_path_safe("hostname", hostname)
    if is_reserved_host_name(hostname):
        raise ValidationError("hostname %s is reserved: Ansible's implicit localhost (localhost, 127.0.0.1, ::1) "
                              "runs the job and the git export on the controller; name the device otherwise "
                              "and give its address as ip_address" % _shown(hostname))
    return hostname
