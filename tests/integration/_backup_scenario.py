"""A lab fleet with one device per backup scenario, and the database reads its tests need.

Every chain is [alpha (p10), bravo (p20), charlie (p30)]; each device accepts the
credential(s) its scenario needs, or carries a fault. One ansible-playbook run covers
every scenario, and the tests then read the database and the lab's login record.
"""

import sqlalchemy as sa

from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (
    ConnectionLog,
    Credential,
    Device,
    DeviceConfiguration,
    JobLog,
    JobResult,
)

PASSWORDS = {"alpha": "Alpha-Pa55!one", "bravo": "Bravo-Pa55!two", "charlie": "Charlie-Pa55!three"}
CREDENTIALS = [
    {"name": name, "username": name, "password": PASSWORDS[name], "priority": priority, "tags": ["lab"]}
    for name, priority in (("alpha", 10), ("bravo", 20), ("charlie", 30))
]


def _accepts(*names):
    return [{"username": name, "password": PASSWORDS[name], "privilege": 15} for name in names]


# device name -> (lab spec extras, netmiko device_type)
SCENARIOS = {
    "first-ok": ({"platform": "cisco_ios", "credentials": _accepts("alpha")}, "cisco_ios"),
    "second-ok": ({"platform": "arista_eos", "credentials": _accepts("bravo")}, "arista_eos"),
    "third-ok": ({"platform": "juniper_junos", "credentials": _accepts("charlie")}, "juniper_junos"),
    "all-rejected": ({"platform": "cisco_ios", "credentials": [{"username": "nobody", "password": "x", "privilege": 15}]},
                     "cisco_ios"),
    "changing": ({"platform": "cisco_ios", "credentials": _accepts("alpha")}, "cisco_ios"),
    "unreachable": ({"platform": "cisco_ios", "credentials": _accepts("alpha"), "fault": "closed"}, "cisco_ios"),
    "blackhole": ({"platform": "cisco_ios", "credentials": _accepts("alpha"), "fault": "blackhole"}, "cisco_ios"),
    "slow": ({"platform": "cisco_ios", "credentials": _accepts("alpha"), "faults": {"slow": {"latency": 4}}}, "cisco_ios"),
    "bad-kex": ({"platform": "cisco_ios", "credentials": _accepts("alpha"), "fault": "bad_kex"}, "cisco_ios"),
    "truncated": ({"platform": "cisco_ios", "credentials": _accepts("alpha"), "fault": "truncate"}, "cisco_ios"),
}


def lab_specs():
    """The lab's device specs for SCENARIOS."""
    return [dict(spec, name=name) for name, (spec, _type) in SCENARIOS.items()]


def device_rows(lab):
    """seed() device dicts pointing at the lab's addresses."""
    return [{"hostname": name, "ip_address": lab.address(name), "port": lab.port(name), "device_type": device_type,
             "tags": ["lab"]} for name, (_spec, device_type) in SCENARIOS.items()]


def rows(engine, statement):
    """All rows of a statement as dicts."""
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(statement)]


def connection_logs(engine, job_id, device_id):
    return rows(engine, sa.select(ConnectionLog).where(ConnectionLog.job_id == job_id, ConnectionLog.device_id == device_id))


def job_results(engine, job_id, device_id):
    return rows(engine, sa.select(JobResult).where(JobResult.job_id == job_id, JobResult.device_id == device_id))


def attempt_logs(engine, job_id, device_id):
    return rows(engine, sa.select(JobLog).where(JobLog.job_id == job_id, JobLog.device_id == device_id).order_by(JobLog.id))


def configurations(engine, device_id):
    return rows(engine, sa.select(DeviceConfiguration).where(DeviceConfiguration.device_id == device_id)
                .order_by(DeviceConfiguration.id))


def credentials(engine):
    return {row["name"]: row for row in rows(engine, sa.select(Credential))}


def device(engine, device_id):
    return rows(engine, sa.select(Device).where(Device.id == device_id))[0]


def dump_all(engine):
    """Every row of every table as text (for secret searches)."""
    with engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        return "\n".join(repr(list(conn.exec_driver_sql("SELECT * FROM %s" % table))) for table in tables)
