# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every rule on the latest stored configuration of every device in scope, in one call.

Devices go in batches of _store.ID_CHUNK: per batch, three reads (their state rows, the ids of
their latest configurations, then the texts that need evaluating), so memory holds one batch's
texts at a time. Each text is parsed once (its platform's block structure) for all the rules;
each rule's regexes were compiled once for the call. With ``changed_only`` a (device, rule)
whose configuration and rule text are those of its last evaluation is not evaluated again:
its last outcome stands (the backup playbook evaluates only what a job changed, and any
device or rule never evaluated). A result is a small tuple until the module builds its output.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Dict, List, NamedTuple, Optional, Sequence, Set

from ansible_collections.netraven.netraven.plugins.module_utils._compliance._blocks import parse
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._checks import (
    COMPLIANT,
    IntendedCache,
    Outcome,
    evaluate,
    not_applicable,
)
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._rules import Rule
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._scope import ScopedDevice, applies
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._secret_guard import canonical_markers
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._store import (
    ID_CHUNK,
    PreviousOutcome,
    Writes,
    config_texts,
    latest_config_ids,
    read_state,
    since_for,
)
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import ComplianceStatus

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

OUT_OF_SCOPE = not_applicable("the rule's platforms or tags leave the device out")
NO_CONFIGURATION = not_applicable("no stored configuration")
_SCOPE_REASON = OUT_OF_SCOPE.reason


class Result(NamedTuple):
    """One (device, rule) of the call: the outcome, since when it fails, and whether it was evaluated now."""

    device: ScopedDevice
    rule: Rule
    outcome: Outcome
    config_id: Optional[int]
    since: Optional[datetime.datetime]
    evaluated: bool
    changed: bool
    previous_status: Optional[str]


_STANDING: Dict[str, Outcome] = {OUT_OF_SCOPE.reason or "": OUT_OF_SCOPE, NO_CONFIGURATION.reason or "": NO_CONFIGURATION}


def outcome_from_details(status: str, details: Optional[Dict[str, Any]]) -> Outcome:
    """The Outcome a stored state row describes (for a (device, rule) not evaluated again).

    A compliant or not-applicable outcome carries no lines: one shared object each, so a call that
    keeps 500,000 last outcomes builds objects only for the failing ones.
    """
    if status == ComplianceStatus.COMPLIANT:
        return COMPLIANT
    details = details or {}
    if status == ComplianceStatus.NOT_APPLICABLE:
        reason = details.get("reason") or ""
        standing = _STANDING.get(reason)
        if standing is None:
            standing = _STANDING[reason] = not_applicable(reason)
        return standing
    return Outcome(status, details.get("missing") or (), details.get("extra") or (), details.get("blocks") or ())


def _reusable(previous: Optional[PreviousOutcome], rule: Rule, config_id: Optional[int], in_scope: bool) -> bool:
    """Whether the last outcome stands: same configuration, same rule text, and the device still in (or out of) scope."""
    return (previous is not None and previous.config_id == config_id and previous.fingerprint == rule.fingerprint
            and ((previous.details or {}).get("reason") == _SCOPE_REASON) is not in_scope)


class Evaluation:
    """The results of a call (those ``keep`` asks for), its counts, its changes, and what storing it writes.

    ``keep`` is "all", "non_compliant" or "none": at 500,000 results a call that lists only the
    failing ones need not hold the others. ``store`` False (check mode) builds no rows to write.
    """

    def __init__(self, rules: Sequence[Rule], now: datetime.datetime, keep: str = "all", store: bool = True) -> None:
        self.rules = list(rules)
        self.now = now
        self.keep = keep
        self.store = store
        self.results: List[Result] = []
        self.writes = Writes()
        self.intended = IntendedCache()
        self.counts = {status: 0 for status in ComplianceStatus.ALL}
        self.failing_devices: Set[int] = set()
        self.evaluated = 0
        self.changes: List[Result] = []

    def add(self, device: ScopedDevice, rule: Rule, outcome: Outcome, config_id: Optional[int],
            previous: Optional[PreviousOutcome], evaluated: bool) -> None:
        status = outcome.status
        since = since_for(status, previous, self.now) if evaluated else (
            previous.since if previous is not None else None)
        changed = False
        if evaluated:
            self.evaluated += 1
            details = outcome.details()
            changed = previous is None or previous.status != status or previous.details != details
            if self.store:
                self.writes.history.append((device.id, rule.name, status, details, config_id))
                if changed or previous is None or previous.config_id != config_id \
                        or previous.fingerprint != rule.fingerprint or previous.since != since:
                    self.writes.state.append((device.id, rule.name, status, since, config_id, rule.fingerprint, details))
        self.counts[status] += 1
        if status == ComplianceStatus.NON_COMPLIANT:
            self.failing_devices.add(device.id)
        if changed or self.keep == "all" or (self.keep == "non_compliant" and status == ComplianceStatus.NON_COMPLIANT):
            result = Result(device, rule, outcome, config_id, since, evaluated, changed,
                            previous.status if previous is not None else None)
            if changed:
                self.changes.append(result)
            if self.keep == "all" or (self.keep == "non_compliant" and status == ComplianceStatus.NON_COMPLIANT):
                self.results.append(result)


def evaluate_devices(connection: Connection, rules: Sequence[Rule], devices: Sequence[ScopedDevice], now: datetime.datetime,
                     changed_only: bool = False, keep: str = "all", store: bool = True) -> Evaluation:
    """Evaluate every rule on every device (see the module docstring); nothing is written here."""
    evaluation = Evaluation(rules, now, keep, store)
    names = [rule.name for rule in rules]
    for start in range(0, len(devices), ID_CHUNK):
        batch = devices[start:start + ID_CHUNK]
        ids = [device.id for device in batch]
        previous = read_state(connection, ids, names)
        latest = latest_config_ids(connection, ids)
        needed = set()
        for device in batch:
            config_id = latest.get(device.id)
            if config_id is None:
                continue
            if any(applies(rule, device) and not (
                    changed_only and _reusable(previous.get((device.id, rule.name)), rule, config_id, True))
                   for rule in rules):
                needed.add(config_id)
        texts = config_texts(connection, sorted(needed))
        for device in batch:
            _device(evaluation, device, latest.get(device.id), texts, previous, changed_only)
    return evaluation


def _device(evaluation: Evaluation, device: ScopedDevice, config_id: Optional[int], texts: Dict[int, str],
            previous: Dict[Any, PreviousOutcome], changed_only: bool) -> None:
    parsed = None
    profile = device.profile
    for rule in evaluation.rules:
        before = previous.get((device.id, rule.name))
        in_scope = applies(rule, device)
        if changed_only and before is not None and _reusable(before, rule, config_id, in_scope):
            evaluation.add(device, rule, outcome_from_details(before.status, before.details), config_id, before, False)
        elif not in_scope:
            evaluation.add(device, rule, OUT_OF_SCOPE, config_id, before, True)
        elif config_id is None:
            evaluation.add(device, rule, NO_CONFIGURATION, None, before, True)
        else:
            if parsed is None:
                parsed = parse(canonical_markers(texts[config_id]), profile.blocks, profile.comment)
            intended = evaluation.intended.paths(rule, profile.blocks, profile.comment) if rule.match else None
            evaluation.add(device, rule, evaluate(rule, parsed, intended), config_id, before, True)
