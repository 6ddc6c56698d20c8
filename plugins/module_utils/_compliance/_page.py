# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance page: one self-contained HTML file a person reads in a browser (playbooks/compliance.yml).

The estate's percentage, a table per rule, the devices x rules matrix (failing devices first)
and, for each failing (device, rule), since when and its missing and extra lines, folded in
<details> so that no script is needed. As the job report (_jobs/_report.py, whose pieces it
shares): inline CSS only, a Content-Security-Policy that forbids scripts and remote assets,
and every string from the database or the rules escaped. Large estates are capped (rows,
details) with a note saying how many were left out; the module's results hold them all.
"""

from __future__ import annotations

from typing import Any, Dict, List

from ansible_collections.netraven.netraven.plugins.module_utils._compliance._evaluate import Evaluation, Result
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import iso_seconds
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._report import (
    BASE_CSS,
    PALETTE,
    escape_html,
    failing_block,
    html_document,
    pill,
    write_html,
)
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import ComplianceStatus, compliance_colour, compliance_percent

MATRIX_ROWS = 500
DETAILS_SHOWN = 500
_CELL = {ComplianceStatus.COMPLIANT: "&#10003;", ComplianceStatus.NON_COMPLIANT: "&#10007;",
         ComplianceStatus.NOT_APPLICABLE: "&ndash;"}
_PAGE_CSS = """
.matrix-wrap{overflow-x:auto}
table.matrix th.rule{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;text-transform:none;
letter-spacing:0;font-weight:600;max-height:220px}
table.matrix td.cell{text-align:center;font-weight:700;width:34px}
td.c-COMPLIANT{color:#166534;background:#f0fdf4}
td.c-NON_COMPLIANT{color:#991b1b;background:#fee2e2}
td.c-NOT_APPLICABLE{color:#9ca3af}
"""


def _rule_rows(evaluation: Evaluation) -> str:
    counts: Dict[str, Dict[str, int]] = {rule.name: {status: 0 for status in ComplianceStatus.ALL}
                                         for rule in evaluation.rules}
    for result in evaluation.results:
        counts[result.rule.name][result.outcome.status] += 1
    rows = []
    for rule in evaluation.rules:
        count = counts[rule.name]
        compliant, failing = count[ComplianceStatus.COMPLIANT], count[ComplianceStatus.NON_COMPLIANT]
        rows.append('<tr><td>%s</td><td class="muted">%s</td><td class="num">%d</td><td class="num">%d</td>'
                    '<td class="num">%d</td><td class="num">%s%%</td></tr>' % (
                        escape_html(rule.name), escape_html(rule.description), compliant, failing,
                        count[ComplianceStatus.NOT_APPLICABLE], compliance_percent(compliant, failing)))
    return ("<h2>Rules</h2><table class=\"rules\"><thead><tr><th>Rule</th><th>Description</th><th>Compliant</th>"
            "<th>Non-compliant</th><th>Not applicable</th><th>Compliant %%</th></tr></thead><tbody>\n%s\n</tbody></table>"
            % "\n".join(rows))


def _by_device(evaluation: Evaluation) -> List[List[Result]]:
    devices: Dict[int, List[Result]] = {}
    for result in evaluation.results:
        devices.setdefault(result.device.id, []).append(result)
    rows = list(devices.values())
    rows.sort(key=lambda row: (not any(r.outcome.status == ComplianceStatus.NON_COMPLIANT for r in row),
                               row[0].device.hostname))
    return rows


def _matrix(evaluation: Evaluation, rows: List[List[Result]]) -> str:
    head = "".join('<th class="rule">%s</th>' % escape_html(rule.name) for rule in evaluation.rules)
    body = []
    for row in rows[:MATRIX_ROWS]:
        cells = "".join('<td class="cell c-%s" title="%s">%s</td>' % (
            result.outcome.status, escape_html("%s: %s%s" % (result.rule.name, result.outcome.status,
                                                             " since %s" % iso_seconds(result.since) if result.since else "")),
            _CELL[result.outcome.status]) for result in row)
        body.append("<tr><td>%s</td>%s</tr>" % (escape_html(row[0].device.hostname), cells))
    note = ""
    if len(rows) > MATRIX_ROWS:
        note = '<p class="muted">%d more device(s) not shown (page cap; the module\'s results hold them all).</p>' % (
            len(rows) - MATRIX_ROWS)
    return ('<h2>Devices &times; rules</h2><div class="matrix-wrap"><table class="matrix"><thead><tr><th>Device</th>%s'
            '</tr></thead><tbody>\n%s\n</tbody></table></div>%s' % (head, "\n".join(body), note))


def _failing(evaluation: Evaluation) -> str:
    failing = [result for result in evaluation.results if result.outcome.status == ComplianceStatus.NON_COMPLIANT]
    if not failing:
        return "<h2>Failing rules</h2><p>Every applicable rule passes on every device.</p>"
    failing.sort(key=lambda result: (result.device.hostname, result.rule.number))
    blocks = [failing_block(result.device.hostname, result.rule.name, iso_seconds(result.since), result.outcome.section,
                            result.outcome.missing, result.outcome.extra) for result in failing[:DETAILS_SHOWN]]
    note = ""
    if len(failing) > DETAILS_SHOWN:
        note = '<p class="muted">%d more failing result(s) not shown (page cap).</p>' % (len(failing) - DETAILS_SHOWN)
    return "<h2>Failing rules (%d)</h2>%s%s" % (len(failing), "\n".join(blocks), note)


def render_page(evaluation: Evaluation, summary: Dict[str, Any]) -> str:
    """The compliance page of an evaluation and its summary."""
    colour = "green" if not summary["non_compliant"] else "red"
    cards = "".join(
        '<div class="card"><div class="n" style="color:%s">%s</div><div class="l">%s</div></div>' % (
            PALETTE[tone][0], escape_html(value), label)
        for label, value, tone in (
            ("Compliant", "%s%%" % summary["percent"], colour), ("Devices", summary["devices"], "gray"),
            ("Rules", summary["rules"], "gray"),
            ("Non-compliant devices", summary["non_compliant_devices"], "red" if summary["non_compliant_devices"] else "gray")))
    chips = "".join(pill("%s: %d" % (status, summary[status.lower()]), compliance_colour(status))
                    for status in ComplianceStatus.ALL)
    rows = _by_device(evaluation)
    title = "NetRaven compliance: %s%% compliant" % escape_html(summary["percent"])
    return html_document(title, BASE_CSS + _PAGE_CSS, """<header><h1>NetRaven compliance</h1><div class="meta"><span>Evaluated: %(when)s</span></div></header>
<section><div class="cards">%(cards)s</div><div class="chips">%(chips)s</div></section>
%(rules)s
%(matrix)s
%(failing)s
<footer>Generated by netraven.netraven at %(when)s</footer>""" % {
        "when": escape_html(iso_seconds(evaluation.now)), "cards": cards, "chips": chips,
        "rules": _rule_rows(evaluation), "matrix": _matrix(evaluation, rows) if rows else
        '<p class="muted">No device in scope.</p>', "failing": _failing(evaluation)})


def write_page(path: str, evaluation: Evaluation, summary: Dict[str, Any]) -> str:
    """Write the compliance page atomically; returns its absolute path."""
    return write_html(path, render_page(evaluation, summary), "the compliance page")
