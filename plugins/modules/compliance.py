#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netraven.netraven.compliance module: argument spec and docs; the work is in module_utils._compliance._run."""

from __future__ import annotations

DOCUMENTATION = r"""
module: compliance
short_description: Evaluate compliance rules against the stored configurations, and keep every evaluation
version_added: 0.1.0
description:
  - Evaluates rules (data - regexes, sections, intended lines) against the latest stored configuration of every
    device in scope, and returns per device and rule C(COMPLIANT), C(NON_COMPLIANT) or C(NOT_APPLICABLE) with the
    missing and extra lines. See C(docs/compliance.md) for the rule schema and a worked example.
  - Every evaluation is kept in the database (table C(compliance_results)); for a C(NON_COMPLIANT) result,
    RV(results[].since) tells when the device first failed the rule without a break.
  - Rules see the stored, masked text only (every masked secret reads C(<secret>)); the sealed original is never
    opened. A rule that tests a secret's value is refused, in one line saying why.
  - Bad rules (no check, an unknown field, a duplicate name, a wrong type, a regex that does not compile or runs
    away) fail in one line naming the rule and the field, and nothing is stored.
author:
  - NetRaven developers (@netraven)
options:
  rules:
    description:
      - The rules, a list of mappings. Each has a unique C(name), optional C(description), optional scope
        C(platforms) (device types or profile names) and C(tags), and one or more checks - C(must_contain),
        C(must_not_contain) (regexes, each matched against single lines), C(section) with optional
        C(section_having) (regexes selecting blocks by their parent line), C(match) with C(intended) and
        C(ordered) (the feature's exact lines).
      - Exclusive with O(rules_file). Without either, the variable C(netraven_compliance_file) names the rules file.
    type: list
    elements: dict
  rules_file:
    description:
      - A YAML file holding C(rules:), a list of rules as in O(rules). It is read as data, never templated.
    type: path
  intended:
    description:
      - Intended lines per rule name, replacing the rule's own C(intended) for this call - a list of lines or one
        text, such as a template rendered with the host's variables, so that a task run per host with
        O(devices=inventory_hostname) compares each device with its own golden lines.
    type: dict
  devices:
    description:
      - Evaluate these devices (hostnames) only.
    type: list
    elements: str
    aliases: [device]
  tags:
    description:
      - Evaluate the devices with any of these tags (disabled devices included).
    type: list
    elements: str
  job_id:
    description:
      - Evaluate the devices the job targets, and record the evaluation in the job's log, where the job's summary
        and report find it (C(playbooks/backup.yml) does this).
      - Without O(devices), O(tags) or O(job_id), every enabled device is evaluated; given together they narrow
        each other.
    type: int
  changed_only:
    description:
      - Evaluate a device and rule only when the device's latest configuration, or the rule, differs from the last
        evaluation (or there was none); the last outcome stands for the others and is returned with
        RV(results[].evaluated) false.
    type: bool
    default: false
  list_results:
    description:
      - Which results RV(results) lists - V(all), V(non_compliant) only, or V(none) (the summary only). For large
        estates (10,000 devices x 50 rules is 500,000 results) list V(non_compliant).
    type: str
    choices: [all, non_compliant, none]
    default: all
  report_path:
    description:
      - Write a self-contained HTML page (devices x rules matrix, percentage, since when, the lines) to this file.
        Not in check mode.
    type: path
  platforms_file:
    description:
      - Your own platform profiles (C(docs/platforms.md)), for the block structure and secret forms of device types
        they add. Without it, E(NETRAVEN_PLATFORMS_FILE); when the task does not set it, the variable
        C(netraven_platforms_file) first.
    type: path
extends_documentation_fragment:
  - netraven.netraven.database
  - netraven.netraven.attributes
  - netraven.netraven.attributes.diff
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    details:
      - Evaluates and returns the results, stores nothing and writes no page.
  diff_mode:
    details:
      - Shows the device and rule pairs whose status changed, before and after.
notes:
  - C(changed) is true when the compliance state changed (a status, or its missing or extra lines); the evaluation
    is stored either way, so a second run over an unchanged estate reports no change.
  - Devices are read in batches; each configuration is parsed once for all rules, and each rule compiled once per
    call. See C(docs/compliance.md) for the figures at 10,000 devices x 50 rules.
seealso:
  - module: netraven.netraven.config_info
  - module: netraven.netraven.backup
"""

EXAMPLES = r"""
- name: Evaluate the rules file over every enabled device, and write the compliance page
  netraven.netraven.compliance:
    rules_file: compliance/rules.yml
    report_path: reports/compliance.html

- name: Two inline rules over the core devices
  netraven.netraven.compliance:
    tags: [core]
    rules:
      - name: ssh-version-2
        platforms: [cisco_ios, arista_eos]
        must_contain: '^ip ssh version 2$'
      - name: vty-ssh-only
        platforms: [cisco_ios]
        section: '^line vty'
        must_contain: '^transport input ssh$'
        must_not_contain: 'telnet'

- name: Each device against its own golden NTP lines (a template with host variables)
  netraven.netraven.compliance:
    devices: "{{ inventory_hostname }}"
    rules_file: compliance/rules.yml
    intended:
      ntp-servers: "{{ lookup('ansible.builtin.template', 'ntp.j2') }}"
  delegate_to: localhost
"""

RETURN = r"""
results:
  description:
    - Per device and rule (as O(list_results) selects) the outcome.
  returned: always
  type: list
  elements: dict
  contains:
    hostname:
      description: The device.
      type: str
    rule:
      description: The rule's name.
      type: str
    status:
      description: C(COMPLIANT), C(NON_COMPLIANT) or C(NOT_APPLICABLE).
      type: str
    missing:
      description:
        - The regexes of C(must_contain) that no line matched, and the intended lines the device lacks. A nested
          line shows its parents, joined by C( > ).
      type: list
      elements: str
    extra:
      description: The lines a C(must_not_contain) regex matched, and the feature's lines beyond the intended ones.
      type: list
      elements: str
    section:
      description: The parent line of the failing block; of several failing blocks, one per line.
      type: str
    blocks:
      description: Each failing block with its own C(section), C(missing) and C(extra).
      type: list
      elements: dict
    reason:
      description: Why a result is C(NOT_APPLICABLE).
      type: str
    config_id:
      description: The stored configuration evaluated.
      type: int
    since:
      description: When the device first failed the rule without a break (C(NON_COMPLIANT) only), ISO 8601 UTC.
      type: str
    evaluated:
      description: False where O(changed_only) kept the last outcome.
      type: bool
  sample:
    - hostname: core-1
      rule: vty-ssh-only
      status: NON_COMPLIANT
      missing: ['^transport input ssh$']
      extra: ['transport input telnet ssh']
      section: line vty 0 4
      blocks: [{section: line vty 0 4, missing: ['^transport input ssh$'], extra: ['transport input telnet ssh']}]
      reason: null
      config_id: 42
      since: "2026-12-01T21:30:00+00:00"
      evaluated: true
summary:
  description:
    - Devices and rules evaluated, counts of (device, rule) results by status, the percentage of applicable results
      that comply (NOT_APPLICABLE counts for neither side), the devices with a failing rule, and how many results
      were evaluated now.
  returned: always
  type: dict
  sample: {devices: 3, rules: 5, compliant: 9, non_compliant: 1, not_applicable: 5, percent: 90.0,
           non_compliant_devices: 1, evaluated: 15}
msg:
  description: The summary as one line.
  returned: always
  type: str
  sample: "Compliance: 3 device(s) x 5 rule(s): 90.0% compliant (9 compliant, 1 non-compliant, 5 not applicable)"
report_path:
  description: The absolute path of the page written.
  returned: with O(report_path), not in check mode
  type: str
"""

from typing import TYPE_CHECKING, Any, Dict

from ansible_collections.netraven.netraven.plugins.module_utils._compliance._run import LIST_CHOICES, run_compliance
from ansible_collections.netraven.netraven.plugins.module_utils._module_base import NetRavenModule

if TYPE_CHECKING:
    from ansible_collections.netraven.netraven.plugins.module_utils._module_base import HandlerModule, Result

# The module and its action plugin (plugins/action/compliance.py, which runs handler in the controller's
# worker and reads netraven_compliance_file and netraven_platforms_file) share the spec, the rules and the handler.
ARGUMENT_SPEC = NetRavenModule.argspec(
    rules={"type": "list", "elements": "dict"},
    rules_file={"type": "path"},
    intended={"type": "dict"},
    devices={"type": "list", "elements": "str", "aliases": ["device"]},
    tags={"type": "list", "elements": "str"},
    job_id={"type": "int"},
    changed_only={"type": "bool", "default": False},
    list_results={"type": "str", "choices": list(LIST_CHOICES), "default": "all"},
    report_path={"type": "path"},
    platforms_file={"type": "path"},
)
RULES: Dict[str, Any] = {"mutually_exclusive": [("rules", "rules_file")]}
# The variables the action reads for options the task leaves out.
VARIABLE_OPTIONS = {"rules_file": "netraven_compliance_file", "platforms_file": "netraven_platforms_file"}


def handler(mod: HandlerModule) -> Result:
    """The module's work, given a NetRavenModule or the action's InProcessModule."""
    return run_compliance(mod.engine, mod.params, check_mode=mod.check_mode, diff=bool(getattr(mod, "_diff", False)))


def main() -> None:
    """Entry point."""
    NetRavenModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **RULES).run(handler)


if __name__ == "__main__":
    main()
