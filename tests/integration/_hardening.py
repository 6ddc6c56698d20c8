"""Helpers of the hardening tests (test_hardening_*.py): runs, database reads, secret searches, a private PostgreSQL.

The hardening tests drive the real CLIs (ansible-playbook, ansible, ansible-inventory)
against the device lab and a real database, then judge what is left behind: the
rows of every table, the files of the run and its printed summary.
"""

import json
import os
import re
import shutil
import subprocess
import sys

import sqlalchemy as sa

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import ConnectionLog, Device, DeviceConfiguration, Job, JobResult

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BACKUP_PLAYBOOK = os.path.join(REPO_ROOT, "playbooks", "backup.yml")


def cli(name):
    """Path of an Ansible CLI of the running venv (next to this Python), else from PATH."""
    binary = os.path.join(os.path.dirname(sys.executable), name)
    return binary if os.path.exists(binary) else shutil.which(name)


def run(env, name, *args, timeout=300):
    """Run an Ansible CLI; returns the CompletedProcess (text; the caller checks the status)."""
    return subprocess.run([cli(name), *[str(a) for a in args]], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def netraven_inventory(path, **options):
    """Write a netraven inventory plugin config file; returns its path."""
    lines = ["plugin: netraven.netraven.netraven"]
    for key, value in options.items():
        lines.append("%s: %s" % (key, json.dumps(value)))
    with open(str(path), "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return str(path)


def lab_device_rows(lab, specs, tags, device_type=None):
    """seed() device rows for lab specs: same name, the lab's address and port."""
    return [{"hostname": spec["name"], "ip_address": lab.address(spec["name"]), "port": lab.port(spec["name"]),
             "device_type": device_type or spec.get("platform", "cisco_ios"), "tags": list(tags)} for spec in specs]


def query(db_url, statement):
    """All rows of a statement as dicts (a short-lived engine)."""
    engine = create_db_engine(db_url, check_schema=False)
    try:
        with engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(statement)]
    finally:
        engine.dispose()


def last_job_id(db_url):
    rows = query(db_url, sa.select(sa.func.max(Job.id).label("id")))
    return rows[0]["id"]


def job_records(db_url, job_id):
    """{hostname: {"results": [...], "connections": [...], "configs": [...]}} for one job."""
    devices = {row["id"]: row["hostname"] for row in query(db_url, sa.select(Device.id, Device.hostname))}
    out = {name: {"results": [], "connections": [], "configs": []} for name in devices.values()}
    for key, model in (("results", JobResult), ("connections", ConnectionLog), ("configs", DeviceConfiguration)):
        for row in query(db_url, sa.select(model).where(model.job_id == job_id)):
            out[devices[row["device_id"]]][key].append(row)
    return out


def custom_stats(stdout):
    """The set_stats data printed in the recap (ANSIBLE_SHOW_CUSTOM_STATS=1) as a dict."""
    section = stdout.split("CUSTOM STATS", 1)[1]
    start = section.index("{")
    depth = 0
    for index, char in enumerate(section[start:], start):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return json.loads(section[start:index + 1])
    raise AssertionError("no custom stats in the output")


def summary_line(stdout, prefix):
    """The printed summary line starting with prefix (from the debug task's JSON list)."""
    match = re.search(r'"(%s[^"]*)"' % re.escape(prefix), stdout)
    assert match, "no summary line %r in the output" % prefix
    return match.group(1)


def files_under(*roots):
    """Every regular file below the roots."""
    for root in roots:
        for folder, _dirs, names in os.walk(str(root)):
            for name in names:
                path = os.path.join(folder, name)
                if os.path.isfile(path) and not os.path.islink(path):
                    yield path


def hits(needles, texts):
    """[(needle, label)] for every needle found in any (label, text-or-bytes) pair."""
    found = []
    for label, text in texts:
        data = text if isinstance(text, bytes) else str(text).encode("utf-8", "surrogateescape")
        for needle in needles:
            if needle and needle.encode("utf-8") in data:
                found.append((needle, label))
    return found


def file_texts(*roots):
    """(path, bytes) of every file below the roots."""
    for path in files_under(*roots):
        with open(path, "rb") as handle:
            yield path, handle.read()


class PrivatePostgres:
    """A PostgreSQL server of the test's own (scripts/pgserver.py's Server), which it may stop and restart.

    The shared test server (NETRAVEN_TEST_PG_URL) is never stopped; this one keeps its
    data directory and port across stop() / restart(), like a database that goes away
    and comes back.
    """

    def __init__(self):
        sys.path.insert(0, os.path.join(REPO_ROOT, "scripts"))
        import pgserver  # pylint: disable=import-error,import-outside-toplevel
        self._server = pgserver.Server(pgserver.find_bindir(None), max_connections=100)

    def start(self):
        self._server.start()
        return self

    @property
    def url(self):
        return self._server.url

    @property
    def password(self):
        return self._server.password

    def database_url(self, database):
        return sa.engine.make_url(self.url).set(database=database).render_as_string(hide_password=False)

    def stop(self):
        """Fast shutdown: clients are disconnected; the data directory stays."""
        self._server._stop_postmaster()  # pylint: disable=protected-access

    def restart(self):
        """Start the postmaster again on the same port and data directory."""
        datadir = os.path.join(self._server.tmpdir, "data")
        if not self._server._launch(datadir):  # pylint: disable=protected-access
            raise RuntimeError("the private PostgreSQL did not come back on port %d" % self._server.port)

    def destroy(self):
        self._server.stop()
