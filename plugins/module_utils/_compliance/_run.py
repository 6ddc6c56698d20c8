# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The work of netraven.netraven.compliance: rules in, results, summary and (unless checking) stored evaluations out.

Order matters: the rules are checked (structure, scope names, secrets, regexes) before any
configuration is read, and the evaluation finishes before anything is written, in one
transaction; so a bad rule, or a regex that runs away on some device, stores nothing.
``changed`` says whether the compliance state changed (a status, or its missing and extra
lines): the history row each evaluation adds is a record, as a job's log is, so a second run
over an unchanged estate reports no change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Tuple

from ansible_collections.netraven.netraven.plugins.module_utils._compliance._evaluate import Evaluation, Result, evaluate_devices
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._job_summary import JOB_RULES_KEY
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._page import write_page
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._rules import Rule, load_rules
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._scope import (
    check_rule_scopes,
    guard_secrets,
    rule_profiles,
    ScopedDevice,
    scoped_devices,
)
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._store import store
from ansible_collections.netraven.netraven.plugins.module_utils._db._driver_errors import DRIVER_ERRORS, raise_driver_error
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import read_scope
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import iso_seconds, utcnow
from ansible_collections.netraven.netraven.plugins.module_utils._db._transactions import run_transaction
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._user_file import (
    load_platforms_file,
    platforms_file_path,
)
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import ComplianceStatus, compliance_counts

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

LIST_CHOICES = ("all", "non_compliant", "none")


def result_entry(result: Result) -> Dict[str, Any]:
    """One element of the module's ``results``."""
    outcome = result.outcome
    return {
        "hostname": result.device.hostname,
        "rule": result.rule.name,
        "status": outcome.status,
        "missing": list(outcome.missing),
        "extra": list(outcome.extra),
        "section": outcome.section,
        "blocks": list(outcome.blocks),
        "reason": outcome.reason,
        "config_id": result.config_id,
        "since": iso_seconds(result.since),
        "evaluated": result.evaluated,
    }


def summarise(evaluation: Evaluation, devices: int, rules: int) -> Dict[str, Any]:
    """The call's summary: devices, rules, counts of (device, rule) pairs by status, percent compliant."""
    return {
        "devices": devices,
        "rules": rules,
        **compliance_counts(evaluation.counts),
        "non_compliant_devices": len(evaluation.failing_devices),
        "evaluated": evaluation.evaluated,
    }


def summary_message(summary: Dict[str, Any]) -> str:
    """The summary as one line (the module's msg, the job's log line)."""
    return ("Compliance: %(devices)d device(s) x %(rules)d rule(s): %(percent)s%% compliant (%(compliant)d compliant, "
            "%(non_compliant)d non-compliant, %(not_applicable)d not applicable)" % summary)


def _diff(evaluation: Evaluation) -> Dict[str, str]:
    """--diff: the (device, rule) pairs whose status changed, before and after."""
    before, after = [], []
    for result in evaluation.changes:
        if result.changed:
            before.append("%s %s: %s" % (result.device.hostname, result.rule.name, result.previous_status or "(never evaluated)"))
            after.append("%s %s: %s" % (result.device.hostname, result.rule.name, result.outcome.status))
    return {"before": "\n".join(before) + ("\n" if before else ""), "after": "\n".join(after) + ("\n" if after else "")}


def _evaluate(engine: Engine, rules: List[Rule], params: Dict[str, Any], keep: str,
              store: bool) -> Tuple[List[ScopedDevice], Evaluation]:
    registry = None
    path = platforms_file_path(params.get("platforms_file"))
    if path:
        registry = load_platforms_file(path)
    with read_scope(engine) as connection:
        check_rule_scopes(connection, rules, registry)
        with_tags = any(rule.tags for rule in rules)
        devices = scoped_devices(connection, params.get("devices"), params.get("tags"), params.get("job_id"),
                                 registry, with_tags)
        for rule in rules:
            guard_secrets(rule, rule_profiles(rule, devices, registry))
            rule.compile()
        return devices, evaluate_devices(connection, rules, devices, utcnow(), bool(params.get("changed_only")),
                                         keep, store)


def run_compliance(engine: Engine, params: Dict[str, Any], check_mode: bool = False, diff: bool = False) -> Dict[str, Any]:
    """The module's result for validated params (see plugins/modules/compliance.py)."""
    rules = load_rules(params.get("rules"), params.get("rules_file"), params.get("intended"))
    listed = params.get("list_results") or "all"
    page = params.get("report_path") and not check_mode
    try:
        devices, evaluation = _evaluate(engine, rules, params, "all" if page else listed, not check_mode)
    except DRIVER_ERRORS as error:
        raise_driver_error(error, engine)
    summary = summarise(evaluation, len(devices), len(rules))
    message = summary_message(summary)
    changed = bool(evaluation.changes)
    job_id = params.get("job_id")
    if not check_mode and (evaluation.writes or job_id is not None):
        run_transaction(engine, lambda connection: store(
            connection, evaluation.writes, evaluation.now, job_id, message,
            {JOB_RULES_KEY: [rule.name for rule in rules], "summary": summary}))
    shown = [] if listed == "none" else [
        result_entry(result) for result in evaluation.results
        if listed == "all" or result.outcome.status == ComplianceStatus.NON_COMPLIANT]
    output: Dict[str, Any] = {"changed": changed, "msg": message, "summary": summary, "results": shown}
    if diff:
        output["diff"] = _diff(evaluation)
    if page:
        output["report_path"] = write_page(params["report_path"], evaluation, summary)
    return output
