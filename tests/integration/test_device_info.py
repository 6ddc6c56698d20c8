"""device_info lists the stale devices through a real ansible-playbook run, on SQLite and PostgreSQL.

Three enabled devices (backed up an hour ago, three days ago, never) and a disabled one that was
never backed up: at 48 h the old and the never-backed-up enabled devices are stale, the fresh and the
disabled one are not; check mode gives the same answer, and nothing in the database changes.
"""

import datetime
import json

import pytest
import sqlalchemy as sa
from _manage_helpers import dump_database, run_playbook  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Device, Job, JobResult

pytestmark = pytest.mark.slow


def _seed(url):
    now = datetime.datetime.now(datetime.timezone.utc)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.insert(Device), [
            {"hostname": name, "ip_address": "192.0.2.%d" % index, "device_type": "cisco_ios", "enabled": enabled}
            for index, (name, enabled) in enumerate(
                (("fresh-1", True), ("old-1", True), ("never-1", True), ("off-1", False)), start=1)])
        ids = dict(connection.execute(sa.select(Device.hostname, Device.id)).all())
        job_id = connection.execute(sa.insert(Job).values(name="past", status="COMPLETED_PARTIAL_FAILURE")
                                    .returning(Job.id)).scalar_one()
        connection.execute(sa.insert(JobResult), [
            {"job_id": job_id, "device_id": ids["fresh-1"], "status": "SUCCESS",
             "result_time": now - datetime.timedelta(hours=1)},
            {"job_id": job_id, "device_id": ids["old-1"], "status": "SUCCESS",
             "result_time": now - datetime.timedelta(hours=72)},
            {"job_id": job_id, "device_id": ids["never-1"], "status": "FAILED_AUTH", "result_time": now}])
    engine.dispose()


def test_device_info_lists_stale_devices_and_writes_nothing(ansible_env, db_url, tmp_path):
    _seed(db_url)
    before = dump_database(db_url)
    results = tmp_path / "stale.json"
    process = run_playbook("../monitor/stale.yml", ansible_env, "-e", "results_file=%s" % results,
                           "-e", "stale_hours=48")
    assert process.returncode == 0, process.stdout[-3000:]
    data = json.loads(results.read_text())
    stale = data["stale"]["stale_devices"]
    assert [entry["hostname"] for entry in stale] == ["never-1", "old-1"]
    assert stale[0]["last_success"] is None and stale[0]["hours_since"] is None
    assert 71 <= stale[1]["hours_since"] <= 73
    assert data["stale"]["changed"] is False and data["stale"]["msg"].startswith("2 stale devices")
    assert data["checked"]["stale_devices"] == stale
    assert dump_database(db_url) == before
