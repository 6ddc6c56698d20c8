# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a job changed and which devices are stale, on a real SQLite database; the report's diffs."""

from __future__ import annotations

import datetime

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("cryptography")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._jobs import _changes  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._jobs import _report  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._jobs import _lifecycle  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (  # noqa: E402
    Credential,
    Device,
    DeviceConfiguration,
    JobResult,
    Tag,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import utcnow  # noqa: E402

EVIL = "<script>alert(1)</script>"


@pytest.fixture
def engine(engine, unit_key):
    """The shared engine with credential ops and devices r1..r3, all tagged core."""
    box = secret_box_for(engine, unit_key)
    with session_scope(engine) as session:
        core = Tag(name="core")
        session.add_all([
            Credential(name="ops", username="ops", password=box.encrypt("S3cret-ops"), tags=[core]),
            Device(hostname="r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=[core]),
            Device(hostname="r2", ip_address="192.0.2.2", device_type="cisco_ios", tags=[core]),
            Device(hostname="r3", ip_address="192.0.2.3", device_type="cisco_ios", tags=[core]),
        ])
    return engine


def run_job(engine, outcomes, now=None):
    """A job where each hostname gets (status, new config text or None); returns finish_job's result."""
    job_id = _lifecycle.start_job(engine, lambda: secret_box_for(engine), tags=["core"])["job_id"]
    with session_scope(engine) as session:
        for hostname, (status, text) in outcomes.items():
            device_id = session.execute(sa.select(Device.id).where(Device.hostname == hostname)).scalar_one()
            config_id = None
            if text is not None:
                row = DeviceConfiguration(device_id=device_id, job_id=job_id, config_data=text, data_hash=str(hash(text)))
                session.add(row)
                session.flush()
                config_id = row.id
            session.execute(sa.update(JobResult).where(JobResult.job_id == job_id, JobResult.device_id == device_id)
                            .values(status=status, result_time=now or utcnow(),
                                    details={"hostname": hostname, "changed": text is not None, "config_id": config_id,
                                             "error_message": None if status == "SUCCESS" else "boom"}))
    return _lifecycle.finish_job(engine, job_id, close_pending=True)


def test_finish_lists_changed_failed_and_stale_devices(engine):
    old = utcnow() - datetime.timedelta(hours=100)
    first = run_job(engine, {"r1": ("SUCCESS", "hostname r1\nntp server 1\n"), "r2": ("SUCCESS", "hostname r2\n"),
                             "r3": ("SUCCESS", "hostname r3\n")}, now=old)
    assert [d["previous_config_id"] for d in first["changed_devices"]] == [None, None, None]
    second = run_job(engine, {"r1": ("SUCCESS", "hostname r1\nntp server 2\nlogging host " + EVIL + "\n"),
                              "r2": ("SUCCESS", None), "r3": ("FAILED_AUTH", None)})
    changed = second["changed_devices"]
    assert [d["hostname"] for d in changed] == ["r1"]
    assert changed[0]["previous_config_id"] == first["changed_devices"][0]["config_id"]
    assert (changed[0]["added"], changed[0]["removed"]) == (2, 1)
    assert "-ntp server 1" in changed[0]["diff"] and "+ntp server 2" in changed[0]["diff"]
    assert second["failed_devices"] == [{"device_id": 3, "hostname": "r3", "status": "FAILED_AUTH", "reason": "boom"}]
    assert [(d["hostname"], round(d["hours_since"])) for d in second["stale_devices"]] == [("r3", 100)]
    lines = second["summary_lines"]
    assert "Changed configurations:" in lines and "  - r1: +2 -1 lines (config 4, was 1)" in lines
    assert any(line.startswith("  - r3: last success") for line in lines)
    page = _report.render_html(second["summary"])
    assert "<details class=\"diff\">" in page and "<details open" not in page
    assert EVIL not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Stale devices (1)" in page


def test_never_backed_up_is_stale_and_all_enabled_by_default(engine):
    result = run_job(engine, {"r1": ("SUCCESS", "a\n"), "r2": ("FAILED_SSH", None), "r3": ("FAILED_SSH", None)})
    assert [(d["hostname"], d["last_success"]) for d in result["stale_devices"]] == [("r2", None), ("r3", None)]
    with session_scope(engine) as session:
        assert [d["hostname"] for d in _changes.stale_devices(session, 48)] == ["r2", "r3"]


def test_diffs_are_capped_per_device_and_in_total(engine):
    run_job(engine, {"r1": ("SUCCESS", "x\n"), "r2": ("SUCCESS", "x\n"), "r3": ("SUCCESS", "x\n")})
    big = "".join("line %d\n" % n for n in range(50))
    result = run_job(engine, {"r1": ("SUCCESS", big), "r2": ("SUCCESS", big), "r3": ("SUCCESS", big)})
    with session_scope(engine) as session:
        entries = _changes.changed_devices(session, result["job_id"], per_device=20, total=30)
    assert [len(d["diff"].splitlines()) for d in entries] == [20, 10, 0]
    assert [d["added"] for d in entries] == [50, 50, 50], "counts stay complete"
    assert entries[2]["diff_lines_omitted"] > 0
    page = _report.render_html(dict(result["summary"], changed_devices=entries))
    assert "left out in total" in page and "not shown (report cap)" in page
