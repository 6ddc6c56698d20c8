# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Idempotent management of jump hosts (the netraven.netraven.jump_host module's core).

A jump host is an SSH bastion a device is reached through: its name is the key, it logs
in with a credential of its own, and it may itself be reached through another jump host
(``via``), to any depth. What would only break a backup later is refused now, in one line:
an unknown credential or jump host, a ``via`` chain that comes back to the jump host (a loop),
and the removal of a jump host that devices or other jump hosts still go through (named).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError
from ansible_collections.netraven.netraven.plugins.module_utils._manage._common import check_text
from ansible_collections.netraven.netraven.plugins.module_utils._manage._ensure import Ensure, Plan
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY, Credential, Device, JumpHost

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

MANAGED_FIELDS = ("name", "host", "port", "credential", "via")
DEFAULT_PORT = 22
MAX_NAMED = 20
# A host name or address as ssh takes it: no blanks, no control characters, no user@ or :port.
_HOST_REFUSED = re.compile(r"[\s@,/\x00-\x1f\x7f-\x9f]")


def jump_host_to_dict(jump_host: Any) -> Dict[str, Any]:
    """The jump host as a result dict (its credential and via by name, never a secret)."""
    return {
        "id": jump_host.id,
        "name": jump_host.name,
        "host": jump_host.host,
        "port": jump_host.port,
        "credential": jump_host.credential.name if jump_host.credential is not None else None,
        "via": jump_host.via.name if jump_host.via is not None else None,
    }


def check_host(host: Optional[str]) -> Optional[str]:
    """A jump host's address or DNS name, refused when ssh could not take it as one."""
    if host is None:
        return None
    host = check_text("host", host.strip(), 255, required=True)
    bad = _HOST_REFUSED.search(host)
    if bad:
        raise ValidationError("host %r contains %r: give an address or a DNS name (the port goes in port)" % (
            host[:64], bad.group(0)))
    return host


def _named(names: List[str]) -> str:
    shown = ", ".join("'%s'" % name for name in names[:MAX_NAMED])
    return shown + (" and %d more" % (len(names) - MAX_NAMED) if len(names) > MAX_NAMED else "")


def via_loop(name: str, via: Any) -> Optional[List[str]]:
    """The hops from via back to the jump host called name, when via leads there (a loop); else None."""
    hops = [via.name]
    current = via
    while current is not None:
        if current.name == name:
            return hops
        current = current.via
        if current is not None:
            hops.append(current.name)
            if len(hops) > 64:
                return hops
    return None


class EnsureJumpHost(Ensure):
    """A jump host under the skeleton of _ensure: the name is its key; credential and via are names."""

    model = JumpHost
    label = "Jump host"
    result_key = "jump_host"
    managed_fields = MANAGED_FIELDS

    def __init__(self, name: str, host: Optional[str] = None, port: Optional[int] = None,
                 credential: Optional[str] = None, via: Optional[str] = None, check_mode: bool = False) -> None:
        super().__init__(check_text("name", (name or "").strip(), 255, required=True), check_mode)
        if port is not None and not 1 <= port <= 65535:
            raise ValidationError("port %s is out of range (1-65535)" % port)
        self.wanted: Dict[str, Any] = {"host": check_host(host), "port": port, "credential": credential,
                                       "via": via.strip() if via is not None else None}

    def to_dict(self, row: Any, tags: Optional[List[str]] = None) -> Dict[str, Any]:
        return jump_host_to_dict(row)

    def plan(self, session: Session, row: Any, before: Optional[Dict[str, Any]]) -> Plan:
        wanted = {field: self.wanted[field] for field in ("host", "port", "credential")}
        if row is None:
            missing = [option for option in ("host", "credential") if wanted[option] is None]
            if missing:
                raise ValidationError("Jump host '%s' does not exist: %s required to create it" % (
                    self.key, " and ".join(missing) + (" are" if len(missing) > 1 else " is")))
        notes: List[str] = []
        if wanted["credential"] is not None and self._credential(session, wanted["credential"]) is None:
            self.unknown("Jump host '%s': unknown credential '%s' (create it with netraven.netraven.credential "
                         "first)" % (self.key, wanted["credential"]), notes)
        changes = self.column_changes(before, wanted, {"name": self.key, "port": DEFAULT_PORT, "via": None})
        via = self.wanted["via"]
        if via:
            hop = self._jump_host(session, via)
            if hop is None:
                self.unknown("Jump host '%s': unknown via '%s' (create that jump host first)" % (self.key, via), notes)
            loop = via_loop(self.key, hop) if hop is not None else None
            if loop is not None:
                raise ValidationError("Jump host '%s' via '%s' would be a loop (%s -> %s)" % (
                    self.key, via, self.key, " -> ".join(loop)))
            if before is None or before["via"] != via:
                changes["via"] = via
        elif via == "" and before is not None and before["via"] is not None:
            changes["via"] = None  # "" takes the further hop away
        return Plan(row, before, changes, notes=notes)

    def result_fields(self, plan: Optional[Plan]) -> Dict[str, Any]:
        return {"warnings": plan.warnings} if plan is not None else {}

    def to_columns(self, session: Session, changes: Dict[str, Any]) -> Dict[str, Any]:
        columns = dict(changes)
        if "credential" in columns:
            columns["credential"] = self._credential(session, columns["credential"])
        if "via" in columns:
            columns["via"] = self._jump_host(session, columns["via"]) if columns["via"] else None
        return columns

    @staticmethod
    def _credential(session: Session, name: str) -> Any:
        """The credential called name, or None."""
        return session.scalars(sa.select(Credential).where(Credential.name == name)).one_or_none()

    def _jump_host(self, session: Session, name: str) -> Any:
        """The jump host called name (never this one), or None."""
        if name == self.key:
            raise ValidationError("Jump host '%s' cannot go via itself" % self.key)
        return session.scalars(sa.select(JumpHost).where(JumpHost.name == name)).one_or_none()

    def removal(self, session: Session, row: Any) -> Dict[str, Any]:
        """Refused (check mode too) while devices or other jump hosts go through it, naming them."""
        devices = list(session.scalars(sa.select(Device.hostname).where(Device.jump_host_id == row.id).order_by(Device.hostname)))
        hops = list(session.scalars(sa.select(JumpHost.name).where(JumpHost.via_id == row.id).order_by(JumpHost.name)))
        users = (["device(s) %s" % _named(devices)] if devices else []) + (["jump host(s) %s" % _named(hops)] if hops else [])
        if users:
            raise ValidationError("Jump host '%s' is in use by %s: move them to another jump host (or none) first" % (
                self.key, " and ".join(users)))
        return {}


def ensure_jump_host(engine: Engine, name: str, host: Optional[str] = None, port: Optional[int] = None,
                     credential: Optional[str] = None, via: Optional[str] = None, state: str = "present",
                     check_mode: bool = False) -> Dict[str, Any]:
    """Make the jump host exist as described (None = leave as is; via "" = no further hop) or not exist.

    Returns {changed, jump_host, diff}; check mode writes nothing.
    """
    return EnsureJumpHost(name, host=host, port=port, credential=credential, via=via, check_mode=check_mode).run(engine, state)
