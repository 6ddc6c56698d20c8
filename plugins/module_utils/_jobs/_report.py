# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a job did, as data, as text lines and as a self-contained HTML page (docs/architecture.md: "Jobs").

The summary is read from the database (job, job_results, job-level job_logs), never
from one run's memory, so every slice of a sliced job reports the same thing. The HTML
report is one file with inline CSS and inline SVG icons: it opens from a mail
attachment or an AWX artifact without any network access. Every string that comes from
the database (hostnames, names, usernames, error messages) is untrusted and escaped.
The status badge follows the NetRaven web UI's display mapping.
"""

from __future__ import annotations

import datetime
import html
import os
import tempfile
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Tuple, TypedDict, cast

from ansible_collections.netraven.netraven.plugins.module_utils._compliance._job_summary import job_compliance
from ansible_collections.netraven.netraven.plugins.module_utils._errors import NetRavenError
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._changes import DEFAULT_STALE_DEVICE_HOURS, changed_devices, stale_devices
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY, Credential, Device, Job, JobLog, JobResult
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import iso_seconds, utcnow
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import (
    DeviceStatus,
    JobStatus,
    LogLevel,
    compliance_colour,
    device_colour,
)

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Colour, icon and text per job status: the NetRaven UI's JobStatusBadge mapping.
JOB_STATUS_DISPLAY = {
    JobStatus.COMPLETED_SUCCESS: ("green", "check-circle", "Completed successfully"),
    JobStatus.COMPLETED_PARTIAL_FAILURE: ("amber", "exclamation-circle", "Completed with failures"),
    JobStatus.COMPLETED_FAILURE: ("red", "x-circle", "Failed"),
    JobStatus.COMPLETED_NO_DEVICES: ("gray", "info-circle", "No devices found"),
    JobStatus.COMPLETED_NO_CREDENTIALS: ("yellow", "exclamation-triangle", "No credentials found"),
    JobStatus.FAILED_CREDENTIAL_RESOLUTION: ("red", "key", "Credential error"),
    JobStatus.FAILED_UNEXPECTED: ("red", "x-octagon", "Unexpected failure"),
    JobStatus.FAILED_DISPATCHER_ERROR: ("red", "x-octagon", "Dispatcher error"),
    JobStatus.RUNNING: ("blue", "clock", "Running"),
    JobStatus.PENDING: ("gray", "clock", "Pending"),
}
# Foreground, background and border of each colour name.
PALETTE = {
    "green": ("#166534", "#dcfce7", "#86efac"),
    "amber": ("#92400e", "#fef3c7", "#fcd34d"),
    "yellow": ("#854d0e", "#fef9c3", "#fde047"),
    "red": ("#991b1b", "#fee2e2", "#fca5a5"),
    "blue": ("#1e40af", "#dbeafe", "#93c5fd"),
    "gray": ("#374151", "#f3f4f6", "#d1d5db"),
}
_SVG_PATHS = {
    "check-circle": '<circle cx="12" cy="12" r="9"/><path d="M8 12.5l2.5 2.5L16 9.5"/>',
    "exclamation-circle": '<circle cx="12" cy="12" r="9"/><path d="M12 7.5v5.5"/><path d="M12 16.5v.01"/>',
    "x-circle": '<circle cx="12" cy="12" r="9"/><path d="M9 9l6 6M15 9l-6 6"/>',
    "info-circle": '<circle cx="12" cy="12" r="9"/><path d="M12 11v5.5"/><path d="M12 7.5v.01"/>',
    "exclamation-triangle": '<path d="M12 3.5L2.5 20h19z"/><path d="M12 9.5v5"/><path d="M12 17.5v.01"/>',
    "key": '<circle cx="8" cy="15" r="4"/><path d="M11 12l8.5-8.5M16.5 6.5l2.5 2.5M14 9l2 2"/>',
    "x-octagon": '<path d="M8.3 3h7.4L21 8.3v7.4L15.7 21H8.3L3 15.7V8.3z"/><path d="M9 9l6 6M15 9l-6 6"/>',
    "clock": '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3.5 2"/>',
}
# Default cap on the per-device lines of summary_lines (the summary dict is always complete).
DEFAULT_MAX_LINES = 200
JOB_LOG_LIMIT = 50
# The most failing compliance results the report details (the summary holds them all).
REPORT_FAILING_SHOWN = 300
# A job's summary (the job module's RETURN 'summary'): counts, devices, logs, changes, compliance, lines.
Summary = Dict[str, Any]


class Counts(TypedDict):
    """Device counts of a job (the summary's and every job result's 'counts')."""

    total: int
    succeeded: int
    failed: int
    pending: int
    by_status: Dict[str, int]


class _DeviceEntryFields(TypedDict):
    device_id: int
    hostname: str
    status: str
    credential_id: Optional[int]
    credential_name: Optional[str]
    credential_username: Optional[str]
    retry_count: int
    attempts: int
    changed: Optional[bool]
    config_id: Optional[int]
    duration_ms: Optional[int]
    error_type: Optional[str]
    error: Optional[str]


class DeviceEntry(_DeviceEntryFields, total=False):
    """One device of the summary's 'devices'; 'compliance' only when the job evaluated compliance."""

    compliance: Optional[str]


def status_display(status: str) -> Tuple[str, str, str]:
    """(colour, icon, text) of a job status; unknown statuses show grey with their own name."""
    return JOB_STATUS_DISPLAY.get(status, ("gray", "info-circle", status))


def count_results(session: Session, job_id: int) -> Counts:
    """Device counts of a job: total, succeeded, failed, pending and per device status; one query."""
    by_status: Dict[str, int] = dict(session.execute(
        sa.select(JobResult.status, sa.func.count(JobResult.id)).where(JobResult.job_id == job_id)
        .group_by(JobResult.status)).all())
    total = sum(by_status.values())
    succeeded = by_status.get(DeviceStatus.SUCCESS, 0)
    pending = by_status.get(DeviceStatus.PENDING, 0)
    return {"total": total, "succeeded": succeeded, "failed": total - succeeded - pending, "pending": pending,
            "by_status": dict(sorted(by_status.items()))}


def _duration(start: object, end: object) -> Optional[float]:
    if not isinstance(start, datetime.datetime) or not isinstance(end, datetime.datetime):
        return None
    if (start.tzinfo is None) != (end.tzinfo is None):
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    return round((end - start).total_seconds(), 1)


def _device_entry(device_id: int, hostname: Optional[str], status: str, details: object,
                  credential_names: Mapping[Any, str]) -> DeviceEntry:
    details = details if isinstance(details, dict) else {}
    credential_id = details.get("credential_id")
    attempts = details.get("attempts")
    if isinstance(attempts, list):
        attempts = len(attempts)
    return {
        "device_id": device_id,
        "hostname": hostname or details.get("hostname") or "device %s" % device_id,
        "status": status,
        "credential_id": credential_id,
        "credential_name": credential_names.get(credential_id),
        "credential_username": details.get("credential_username"),
        "retry_count": details.get("retry_count") or 0,
        "attempts": attempts or 0,
        "changed": details.get("changed"),
        "config_id": details.get("config_id"),
        "duration_ms": details.get("duration_ms"),
        "error_type": details.get("error_type"),
        "error": details.get("error_message"),
    }


def build_summary(session: Session, job_id: int, max_lines: Optional[int] = None,
                  stale_device_hours: float = DEFAULT_STALE_DEVICE_HOURS) -> Summary:
    """The job's summary dict (see the job module's RETURN), with its readable lines under 'lines'."""
    job = cast(Job, session.get(Job, job_id))  # the caller read the job in this session (finish_job)
    rows = session.execute(
        sa.select(JobResult.device_id, Device.hostname, JobResult.status, JobResult.details)
        .join(Device, Device.id == JobResult.device_id, isouter=True)
        .where(JobResult.job_id == job_id)).all()
    credential_ids = {row.details.get("credential_id") for row in rows if isinstance(row.details, dict)}
    credential_ids.discard(None)
    credential_names: Dict[Any, str] = {}
    if credential_ids:
        credential_names = dict(session.execute(
            sa.select(Credential.id, Credential.name).where(Credential.id.in_(sorted(credential_ids)))).all())
    devices = [_device_entry(row.device_id, row.hostname, row.status, row.details, credential_names) for row in rows]
    devices.sort(key=lambda entry: (entry["hostname"], entry["device_id"]))
    compliance = job_compliance(session, job_id, job.started_at)
    if compliance is not None:
        by_device = compliance.pop("devices")
        for entry in devices:
            entry["compliance"] = (by_device.get(entry["device_id"]) or {}).get("status")
    logs = session.execute(
        sa.select(JobLog.timestamp, JobLog.level, JobLog.message, JobLog.data)
        .where(JobLog.job_id == job_id, JobLog.device_id.is_(None))
        .order_by(JobLog.id.desc()).limit(JOB_LOG_LIMIT)).all()
    colour, _icon, text = status_display(job.status)
    summary: Summary = {
        "job_id": job.id,
        "name": job.name,
        "job_type": job.job_type,
        "status": job.status,
        "status_text": text,
        "status_color": colour,
        "final": job.status in JobStatus.FINAL,
        "created_at": iso_seconds(job.created_at),
        "started_at": iso_seconds(job.started_at),
        "completed_at": iso_seconds(job.completed_at),
        "duration_s": _duration(job.started_at, job.completed_at),
        "counts": count_results(session, job_id),
        "devices": devices,
        "failed_devices": [
            {"device_id": d["device_id"], "hostname": d["hostname"], "status": d["status"],
             "reason": d["error"] or d["status"]}
            for d in devices if d["status"] not in (DeviceStatus.SUCCESS, DeviceStatus.PENDING)],
        "changed_devices": changed_devices(session, job_id),
        "stale_device_hours": stale_device_hours,
        "stale_devices": stale_devices(session, stale_device_hours, job_id=job_id),
        "compliance": compliance,
        "logs": [{"timestamp": iso_seconds(ts), "level": level, "message": message,
                  "error_type": (data or {}).get("error_type") if isinstance(data, dict) else None}
                 for ts, level, message, data in reversed(logs)],
    }
    summary["lines"] = summary_lines(summary, max_lines)
    return summary


def _credential_label(device: DeviceEntry) -> str:
    label = "credential '%s'" % (device["credential_username"] or "?")
    if device["credential_name"] and device["credential_name"] != device["credential_username"]:
        label += " [%s]" % device["credential_name"]
    if device["credential_id"] is not None:
        label += " (id %s)" % device["credential_id"]
    return label


def _stale_age(device: Mapping[str, Any]) -> str:
    if device["last_success"] is None:
        return "never backed up"
    return "last success %s (%s h ago)" % (device["last_success"], device["hours_since"])


def summary_lines(summary: Summary, max_lines: Optional[int] = None) -> List[str]:
    """Readable lines: status, counts, job errors, failed devices with reason, credential per device."""
    limit = DEFAULT_MAX_LINES if max_lines is None else max_lines
    counts = summary["counts"]
    lines = ["NetRaven job %s '%s': %s (%s)" % (summary["job_id"], summary["name"], summary["status"], summary["status_text"]),
             "Devices: %d targeted, %d succeeded, %d failed, %d pending" % (
                 counts["total"], counts["succeeded"], counts["failed"], counts["pending"])]
    if counts["by_status"]:
        lines.append("By status: " + ", ".join("%s %d" % item for item in counts["by_status"].items()))
    errors = [log for log in summary["logs"] if log["level"] in (LogLevel.ERROR, LogLevel.CRITICAL)]
    if errors:
        lines.append("Job errors:")
        lines.extend("  - %s: %s" % (log["level"], log["message"]) for log in errors)
    failed = summary["failed_devices"]
    if failed:
        lines.append("Failed devices:")
        lines.extend("  - %s: %s: %s" % (d["hostname"], d["status"], d["reason"]) for d in failed[:limit])
        if len(failed) > limit:
            lines.append("  ... and %d more failed devices (see the summary or the report)" % (len(failed) - limit))
    changed = summary.get("changed_devices") or []
    if changed:
        lines.append("Changed configurations:")
        lines.extend("  - %s: +%d -%d lines (config %s, was %s)" % (
            d["hostname"], d["added"], d["removed"], d["config_id"],
            d["previous_config_id"] if d["previous_config_id"] is not None else "none") for d in changed[:limit])
        if len(changed) > limit:
            lines.append("  ... and %d more changed devices (see the summary or the report)" % (len(changed) - limit))
    stale = summary.get("stale_devices") or []
    if stale:
        lines.append("Stale devices (no successful backup in %s h):" % summary["stale_device_hours"])
        lines.extend("  - %s: %s" % (d["hostname"], _stale_age(d)) for d in stale[:limit])
        if len(stale) > limit:
            lines.append("  ... and %d more stale devices (see the summary or the report)" % (len(stale) - limit))
    lines.extend(compliance_lines(summary.get("compliance"), limit))
    backed_up = [d for d in summary["devices"] if d["status"] == DeviceStatus.SUCCESS]
    if backed_up:
        lines.append("Backed up:")
        for device in backed_up[:limit]:
            line = "  - %s: %s" % (device["hostname"], _credential_label(device))
            if device["retry_count"]:
                line += ", required %d credential attempts" % device["attempts"]
            lines.append(line)
        if len(backed_up) > limit:
            lines.append("  ... and %d more devices backed up (see the summary or the report)" % (len(backed_up) - limit))
    return lines


def compliance_lines(compliance: Optional[Dict[str, Any]], limit: int) -> List[str]:
    """The summary's compliance lines: the percentage, then each failing device and rule (new ones marked)."""
    if not compliance:
        return []
    lines = ["Compliance: %s%% (%d compliant, %d non-compliant, %d not applicable; %d device(s) failing)" % (
        compliance["percent"], compliance["compliant"], compliance["non_compliant"], compliance["not_applicable"],
        compliance["non_compliant_devices"])]
    failing = compliance["failing"]
    if failing:
        lines.append("Non-compliant:")
        lines.extend("  - %s: %s (%s since %s: %d missing, %d extra)" % (
            entry["hostname"], entry["rule"], "new" if entry["new"] else "failing", entry["since"],
            len(entry["missing"]), len(entry["extra"])) for entry in failing[:limit])
        if len(failing) > limit:
            lines.append("  ... and %d more non-compliant results (see the summary or the report)" % (len(failing) - limit))
    return lines


# --------------------------------------------------------------------------- HTML

def _e(value: object) -> str:
    """Escape anything for HTML text and attribute values."""
    return html.escape("" if value is None else str(value), quote=True)


def svg_icon(name: str, size: int = 20) -> str:
    """An inline SVG icon (stroke drawn in the current text colour)."""
    return ('<svg class="icon" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 24 24" '
            'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
            'aria-hidden="true">%s</svg>' % (size, size, _SVG_PATHS.get(name, _SVG_PATHS["info-circle"])))


_CSS = """
*{box-sizing:border-box}
body{margin:0;padding:28px 36px;font:14px/1.45 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:#111827;background:#f9fafb}
header{margin-bottom:18px}
header .badge{margin-top:14px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:16px;margin:26px 0 10px}
.meta{color:#4b5563;font-size:13px}
.meta span{margin-right:18px}
.badge{display:inline-flex;align-items:center;gap:8px;padding:7px 14px;border-radius:999px;border:1px solid;
font-weight:600;font-size:15px}
.badge .code{font-weight:400;font-size:12px;opacity:.8;font-family:ui-monospace,Menlo,Consolas,monospace}
.icon{flex:none;vertical-align:middle}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:12px 18px;min-width:130px}
.card .n{font-size:26px;font-weight:700}
.card .l{color:#6b7280;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.chips{margin-top:12px;display:flex;gap:8px;flex-wrap:wrap}
.pill{display:inline-block;padding:2px 9px;border-radius:999px;border:1px solid;font-size:12px;font-weight:600;
white-space:nowrap}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #e5e7eb;border-radius:10px;overflow:hidden}
th,td{text-align:left;padding:8px 12px;border-bottom:1px solid #f0f1f3;vertical-align:top}
th{background:#f3f4f6;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#4b5563}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.nw,td.num{white-space:nowrap}
td.err{color:#991b1b;max-width:520px;word-break:break-word}
.muted{color:#9ca3af}
.log td{font-size:13px}
footer{margin-top:28px;color:#9ca3af;font-size:12px}
details.diff{background:#fff;border:1px solid #e5e7eb;border-radius:10px;margin:8px 0;padding:8px 12px}
details.diff summary{cursor:pointer;font-weight:600}
details.diff pre{margin:8px 0 0;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;
word-break:break-all}
.add{color:#166534}.del{color:#991b1b}
pre.lines{margin:6px 0 0;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-all}
"""


def _pill(text: object, colour: str) -> str:
    fg, bg, border = PALETTE[colour]
    return '<span class="pill" style="color:%s;background:%s;border-color:%s">%s</span>' % (fg, bg, border, _e(text))


# The shared pieces of the self-contained pages (this report and the compliance page, _compliance/_page.py).
escape_html = _e
pill = _pill
BASE_CSS = _CSS
# No script, no external asset: the pages open from a mail or an AWX artifact, and a hostile string stays text.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def html_document(title: str, css: str, body: str) -> str:
    """A self-contained page around its body: the charset, the viewport, CSP, the title (escaped by the caller), the CSS."""
    return """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="%s">
<title>%s</title>
<style>%s</style>
</head>
<body>
%s
</body>
</html>
""" % (CSP, title, css, body)


def _device_colour(status: str) -> str:
    return device_colour(status)


def _table_order(device: DeviceEntry) -> Tuple[int, str, int]:
    """Failed devices first, then those still pending, then the backed-up ones; by hostname within.

    A report is read for what went wrong: with hundreds of successes sorted among them by
    name, the few failures would be scattered down the page.
    """
    rank = {DeviceStatus.SUCCESS: 2, DeviceStatus.PENDING: 1}.get(device["status"], 0)
    return rank, device["hostname"], device["device_id"]


def _device_row(device: DeviceEntry, with_compliance: bool = False) -> str:
    if device["credential_username"] or device["credential_id"] is not None:
        credential = _e(device["credential_username"] or "?")
        extra = []
        if device["credential_name"] and device["credential_name"] != device["credential_username"]:
            extra.append(_e(device["credential_name"]))
        if device["credential_id"] is not None:
            extra.append("id %s" % _e(device["credential_id"]))
        if extra:
            credential += ' <span class="muted">(%s)</span>' % ", ".join(extra)
    else:
        credential = '<span class="muted">&mdash;</span>'
    if device["changed"] is None or device["status"] != DeviceStatus.SUCCESS:
        changed = '<span class="muted">&mdash;</span>'
    else:
        changed = "yes" if device["changed"] else "no"
    error = ""
    if device["status"] != DeviceStatus.SUCCESS and (device["error"] or device["error_type"]):
        error = _e(device["error"] or device["error_type"])
        if device["error_type"]:
            error = '<span class="muted">%s:</span> %s' % (_e(device["error_type"]), error)
    attempts = _e(device["attempts"])
    if device["retry_count"]:
        attempts += ' <span class="muted">(%s retried)</span>' % _e(device["retry_count"])
    compliance = ""
    if with_compliance:
        status = device.get("compliance")
        compliance = "<td>%s</td>" % (_pill(status, compliance_colour(status)) if status else
                                      '<span class="muted">&mdash;</span>')
    return "<tr><td>%s</td><td>%s</td><td class=\"nw\">%s</td><td class=\"num\">%s</td><td>%s</td>%s<td class=\"err\">%s</td></tr>" % (
        _e(device["hostname"]), _pill(device["status"], _device_colour(device["status"])), credential, attempts,
        changed, compliance, error)


def _diff_line(line: str) -> str:
    css = "add" if line.startswith("+") and not line.startswith("+++") else (
        "del" if line.startswith("-") and not line.startswith("---") else "")
    return '<span class="%s">%s</span>' % (css, _e(line)) if css else _e(line)


def _changes_section(summary: Summary) -> str:
    """Each changed device's diff, folded in a <details> (no script needed, so the CSP holds)."""
    changed = summary.get("changed_devices") or []
    if not changed:
        return ""
    blocks = []
    for device in changed:
        body = "\n".join(_diff_line(line) for line in device["diff"].splitlines())
        note = ""
        if device["diff_lines_omitted"]:
            note = '<p class="muted">%d more diff line(s) not shown (report cap)</p>' % device["diff_lines_omitted"]
        blocks.append('<details class="diff"><summary>%s <span class="add">+%d</span> <span class="del">-%d</span> '
                      '<span class="muted">config %s, was %s</span></summary><pre>%s</pre>%s</details>' % (
                          _e(device["hostname"]), device["added"], device["removed"], _e(device["config_id"]),
                          _e(device["previous_config_id"] if device["previous_config_id"] is not None else "none"),
                          body, note))
    omitted = sum(device["diff_lines_omitted"] for device in changed)
    total_note = ('<p class="muted">%d diff line(s) left out in total (capped per device and per report); '
                  'the line counts are complete.</p>' % omitted) if omitted else ""
    return "<h2>Changed configurations (%d)</h2>%s\n%s" % (len(changed), "\n".join(blocks), total_note)


def failing_block(hostname: str, rule: str, since: object, section: object, missing: List[str], extra: List[str]) -> str:
    """One failing (device, rule) folded in a <details>: since when, its section, missing (-) and extra (+) lines.

    Shared by this report's compliance section and the compliance page (_compliance/_page.py).
    """
    lines = ['<span class="del">- %s</span>' % _e(line) for line in missing]
    lines += ['<span class="add">+ %s</span>' % _e(line) for line in extra]
    where = ('<div class="muted">section: %s</div>' % _e(section)) if section else ""
    return ('<details class="diff" open><summary>%s &middot; %s <span class="muted">non-compliant since %s: %d missing, '
            '%d extra</span></summary>%s<pre class="lines">%s</pre></details>' % (
                _e(hostname), _e(rule), _e(since or "?"), len(missing), len(extra), where, "\n".join(lines)))


def _compliance_section(compliance: Optional[Dict[str, Any]]) -> str:
    """The job's compliance: the percentage, then each failing rule with its missing and extra lines."""
    if not compliance:
        return ""
    fg = PALETTE["green" if not compliance["non_compliant"] else "red"][0]
    head = ('<h2>Compliance: <span style="color:%s">%s%%</span> <span class="muted">(%d compliant, %d non-compliant, '
            '%d not applicable; rules: %s)</span></h2>' % (
                fg, _e(compliance["percent"]), compliance["compliant"], compliance["non_compliant"],
                compliance["not_applicable"], _e(", ".join(compliance["rules"]))))
    failing = compliance["failing"]
    if not failing:
        return head + "<p>Every applicable rule passes on every device of the job.</p>"
    blocks = [failing_block(entry["hostname"], entry["rule"], entry["since"], entry["section"], entry["missing"],
                            entry["extra"]) for entry in failing[:REPORT_FAILING_SHOWN]]
    note = ""
    if len(failing) > REPORT_FAILING_SHOWN:
        note = '<p class="muted">%d more failing result(s) not shown (report cap).</p>' % (len(failing) - REPORT_FAILING_SHOWN)
    return head + "\n".join(blocks) + note


def _stale_section(summary: Summary) -> str:
    stale = summary.get("stale_devices") or []
    if not stale:
        return ""
    rows = "\n".join("<tr><td>%s</td><td>%s</td><td class=\"num\">%s</td></tr>" % (
        _e(d["hostname"]), _e(d["last_success"] or "never"), _e("" if d["hours_since"] is None else d["hours_since"]))
        for d in stale)
    return ("<h2>Stale devices (%d): no successful backup in %s h</h2><table class=\"stale\"><thead><tr><th>Hostname</th>"
            "<th>Last success</th><th>Hours ago</th></tr></thead><tbody>\n%s\n</tbody></table>" % (
                len(stale), _e(summary.get("stale_device_hours")), rows))


def render_html(summary: Summary, generated_at: Optional[datetime.datetime] = None) -> str:
    """The self-contained HTML report of a summary (no script, no external asset)."""
    colour, icon, text = status_display(summary["status"])
    fg, bg, border = PALETTE[colour]
    counts = summary["counts"]
    generated = iso_seconds(generated_at or utcnow())
    meta = []
    for label, key in (("Started", "started_at"), ("Completed", "completed_at")):
        if summary.get(key):
            meta.append("<span>%s: %s</span>" % (label, _e(summary[key])))
    if summary.get("duration_s") is not None:
        meta.append("<span>Duration: %s s</span>" % _e(summary["duration_s"]))
    cards = "".join(
        '<div class="card"><div class="n" style="color:%s">%d</div><div class="l">%s</div></div>' % (
            PALETTE[c][0], n, label)
        for label, n, c in (("Targeted", counts["total"], "gray"), ("Succeeded", counts["succeeded"], "green" if counts["succeeded"] else "gray"),
                            ("Failed", counts["failed"], "red" if counts["failed"] else "gray"),
                            ("Pending", counts["pending"], "blue" if counts["pending"] else "gray")))
    chips = "".join(_pill("%s: %d" % (status, n), _device_colour(status)) for status, n in counts["by_status"].items())
    with_compliance = bool(summary.get("compliance"))
    if summary["devices"]:
        rows = "\n".join(_device_row(device, with_compliance) for device in sorted(summary["devices"], key=_table_order))
        table = ("<table><thead><tr><th>Hostname</th><th>Status</th><th>Credential</th><th>Attempts</th>"
                 "<th>Changed</th>%s<th>Error</th></tr></thead><tbody>\n%s\n</tbody></table>" % (
                     "<th>Compliance</th>" if with_compliance else "", rows))
    else:
        table = '<p class="muted">No device results recorded for this job.</p>'
    logs = ""
    if summary["logs"]:
        log_rows = "\n".join(
            "<tr><td>%s</td><td>%s</td><td>%s</td></tr>" % (
                _e(log["timestamp"]),
                _pill(log["level"], {"ERROR": "red", "CRITICAL": "red", "WARNING": "amber"}.get(log["level"], "gray")),
                _e(log["message"]))
            for log in summary["logs"])
        logs = ('<h2>Job log</h2><table class="log"><thead><tr><th>Time</th><th>Level</th><th>Message</th></tr></thead>'
                "<tbody>\n%s\n</tbody></table>" % log_rows)
    title = "NetRaven job %s: %s" % (_e(summary["job_id"]), _e(text))
    return html_document(title, _CSS, """<header>
<div><h1>NetRaven backup job #%(job_id)s &middot; %(name)s</h1><div class="meta">%(meta)s</div></div>
<div class="badge" role="status" style="color:%(fg)s;background:%(bg)s;border-color:%(border)s">%(icon)s<span>%(status_text)s</span>
<span class="code">%(status)s</span></div>
</header>
<section><div class="cards">%(cards)s</div><div class="chips">%(chips)s</div></section>
<h2>Devices</h2>
%(table)s
%(changes)s
%(compliance)s
%(stale)s
%(logs)s
<footer>Generated by netraven.netraven at %(generated)s</footer>""" % {
        "job_id": _e(summary["job_id"]), "status_text": _e(text), "name": _e(summary["name"]),
        "meta": "".join(meta), "fg": fg, "bg": bg, "border": border, "icon": svg_icon(icon, 22),
        "status": _e(summary["status"]), "cards": cards, "chips": chips, "table": table, "logs": logs,
        "changes": _changes_section(summary), "stale": _stale_section(summary),
        "compliance": _compliance_section(summary.get("compliance")),
        "generated": _e(generated)})


def write_report(path: str, summary: Summary, generated_at: Optional[datetime.datetime] = None) -> str:
    """Write the HTML report atomically (a reader never sees half a file); returns the absolute path."""
    return write_html(path, render_html(summary, generated_at), "the job report")


def write_html(path: str, page: str, what: str) -> str:
    """Write a self-contained page atomically (the job report, the compliance page); returns the absolute path."""
    path = os.path.abspath(os.path.expanduser(path))
    directory = os.path.dirname(path)
    content = page.encode("utf-8")
    try:
        os.makedirs(directory, exist_ok=True)
        handle, tmp_path = tempfile.mkstemp(prefix=".netraven-report-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_path, 0o666 & ~umask)
            os.replace(tmp_path, path)
        except BaseException:
            if os.path.exists(tmp_path):
                os.unlink(tmp_path)
            raise
    except OSError as error:
        raise NetRavenError("Cannot write %s to '%s': %s" % (what, path, error.strerror or error)) from None
    return path
