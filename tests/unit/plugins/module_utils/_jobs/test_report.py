# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The job summary and HTML report: readable lines, display mapping, escaping, self-containment."""

from __future__ import annotations

import html.parser
import os
import re

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._jobs import _report  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._errors import NetRavenError  # noqa: E402

EVIL = '<script>alert("x")</script>'


def device(hostname, status, **fields):
    entry = {"device_id": fields.pop("device_id", 1), "hostname": hostname, "status": status, "credential_id": None,
             "credential_name": None, "credential_username": None, "retry_count": 0, "attempts": 0, "changed": None,
             "config_id": None, "duration_ms": None, "error_type": None, "error": None}
    entry.update(fields)
    return entry


def summary(status="COMPLETED_PARTIAL_FAILURE", devices=None, logs=None):
    devices = devices if devices is not None else [
        device("r1", "SUCCESS", credential_id=2, credential_name="core-admin", credential_username="admin",
               retry_count=2, attempts=3, changed=True),
        device(EVIL, "FAILED_AUTH", device_id=2, credential_id=3, credential_username="u<b>", attempts=1,
               error_type="AUTH", error="Authentication failed & <img src=x onerror=alert(1)>"),
    ]
    colour, _icon, text = _report.status_display(status)
    by_status = {}
    for entry in devices:
        by_status[entry["status"]] = by_status.get(entry["status"], 0) + 1
    succeeded = by_status.get("SUCCESS", 0)
    pending = by_status.get("PENDING", 0)
    result = {
        "job_id": 7, "name": "nightly <b>bold</b>", "job_type": "backup", "status": status, "status_text": text,
        "status_color": colour, "final": True, "created_at": None, "started_at": "2025-01-01T02:00:00+00:00",
        "completed_at": "2025-01-01T02:01:00+00:00", "duration_s": 60.0,
        "counts": {"total": len(devices), "succeeded": succeeded, "failed": len(devices) - succeeded - pending,
                   "pending": pending, "by_status": dict(sorted(by_status.items()))},
        "devices": devices,
        "failed_devices": [{"device_id": d["device_id"], "hostname": d["hostname"], "status": d["status"],
                            "reason": d["error"] or d["status"]} for d in devices if d["status"] not in ("SUCCESS", "PENDING")],
        "logs": logs or [],
    }
    return result


class _Collector(html.parser.HTMLParser):
    """Every start tag and attribute of a page (to prove nothing external or active is in it)."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_summary_lines_read_well():
    lines = _report.summary_lines(summary(logs=[
        {"timestamp": "t", "level": "ERROR", "message": "Failed to resolve credentials: boom", "error_type": "CREDENTIAL"},
        {"timestamp": "t", "level": "INFO", "message": "Credential resolution: 2/2", "error_type": None}]))
    assert lines[0] == "NetRaven job 7 'nightly <b>bold</b>': COMPLETED_PARTIAL_FAILURE (Completed with failures)"
    assert lines[1] == "Devices: 2 targeted, 1 succeeded, 1 failed, 0 pending"
    assert "By status: FAILED_AUTH 1, SUCCESS 1" in lines
    assert "  - ERROR: Failed to resolve credentials: boom" in lines
    assert not any("Credential resolution" in line for line in lines), "only errors are job errors"
    assert "  - %s: FAILED_AUTH: Authentication failed & <img src=x onerror=alert(1)>" % EVIL in lines
    assert "  - r1: credential 'admin' [core-admin] (id 2), required 3 credential attempts" in lines


def test_summary_lines_cap_device_lists():
    devices = [device("r%03d" % n, "SUCCESS", device_id=n, credential_username="ops", credential_id=1, attempts=1)
               for n in range(5)]
    lines = _report.summary_lines(summary("COMPLETED_SUCCESS", devices), max_lines=2)
    assert lines[-3:] == ["  - r000: credential 'ops' (id 1)", "  - r001: credential 'ops' (id 1)",
                          "  ... and 3 more devices backed up (see the summary or the report)"]


@pytest.mark.parametrize("status, colour, icon, text", [
    ("COMPLETED_NO_CREDENTIALS", "yellow", "exclamation-triangle", "No credentials found"),
    ("FAILED_CREDENTIAL_RESOLUTION", "red", "key", "Credential error"),
    ("COMPLETED_SUCCESS", "green", "check-circle", "Completed successfully"),
    ("COMPLETED_PARTIAL_FAILURE", "amber", "exclamation-circle", "Completed with failures"),
    ("COMPLETED_FAILURE", "red", "x-circle", "Failed"),
])
def test_badge_follows_the_ui_display_mapping(status, colour, icon, text):
    assert _report.status_display(status) == (colour, icon, text)
    page = _report.render_html(summary(status))
    badge = re.search(r'<div class="badge"[^>]*style="color:([^;]+);background:([^;]+);[^"]*">(.*?)</div>', page, re.S)
    assert badge, "the page has a status badge"
    assert (badge.group(1), badge.group(2)) == _report.PALETTE[colour][:2]
    assert _report.svg_icon(icon, 22) in badge.group(3)
    assert "<span>%s</span>" % text in badge.group(3)


def test_report_escapes_database_strings_and_is_self_contained():
    page = _report.render_html(summary(logs=[
        {"timestamp": "t", "level": "ERROR", "message": "bad </td><script>x()</script>", "error_type": None}]))
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "u&lt;b&gt;" in page
    assert "nightly &lt;b&gt;bold&lt;/b&gt;" in page
    collector = _Collector()
    collector.feed(page)
    tag_names = {tag for tag, _attrs in collector.tags}
    assert not tag_names & {"script", "img", "link", "iframe", "object", "embed"}
    for _tag, attrs in collector.tags:
        assert not any(name.startswith("on") for name in attrs), "no event handler attribute"
        assert "src" not in attrs and "href" not in attrs
    assert "url(" not in page and "@import" not in page
    # One row per device (the credential cell) and one per job log entry.
    assert page.count('<td class="nw">') == 2
    assert page.count("<tr><td>") == 3


def test_report_without_devices_says_so():
    page = _report.render_html(summary("COMPLETED_NO_DEVICES", devices=[]))
    assert "No device results recorded for this job." in page and "No devices found" in page


def test_write_report_replaces_atomically(tmp_path):
    target = tmp_path / "reports" / "job.html"
    assert _report.write_report(str(target), summary()) == str(target)
    first = target.read_text(encoding="utf-8")
    _report.write_report(str(target), summary("COMPLETED_SUCCESS", devices=[]))
    assert target.read_text(encoding="utf-8") != first
    assert os.listdir(str(target.parent)) == ["job.html"], "no temporary file is left behind"


def test_unwritable_report_path_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(NetRavenError) as error:
        _report.write_report(str(blocker / "job.html"), summary())
    assert str(error.value).startswith("Cannot write the job report to '%s'" % (blocker / "job.html"))
    assert "\n" not in str(error.value)


def test_report_table_lists_failures_first_then_pending_then_backed_up():
    devices = [device("a-ok", "SUCCESS", device_id=1), device("b-down", "FAILED_UNREACHABLE", device_id=2),
               device("c-wait", "PENDING", device_id=3), device("d-ok", "SUCCESS", device_id=4),
               device("e-auth", "FAILED_AUTH", device_id=5), device("f-none", "NO_CREDENTIALS", device_id=6)]
    page = _report.render_html(summary(devices=devices))
    body = page.split("<tbody>", 1)[1]
    order = [name for _start, name in sorted((body.index("<td>%s</td>" % d["hostname"]), d["hostname"]) for d in devices)]
    assert order == ["b-down", "e-auth", "f-none", "c-wait", "a-ok", "d-ok"]
