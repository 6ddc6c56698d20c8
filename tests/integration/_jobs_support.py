"""Helpers of the job and backup-playbook tests: seed devices, write inventories, run the playbook.

Devices that must fail point at a closed loopback port (connection refused at once:
FAILED_UNREACHABLE); devices that must succeed come from the device lab.
"""

import json
import os
import signal
import socket
import subprocess
import sys

import sqlalchemy as sa
import yaml

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential, Device, Job, JobLog, JobResult, Tag

LAB_SPECS = [
    {"name": "ok1", "platform": "cisco_ios", "credentials": [{"username": "netops", "password": "N3tops!lab", "privilege": 15}]},
    {"name": "ok2", "platform": "arista_eos", "credentials": [{"username": "admin", "password": "Adm1n!lab", "privilege": 15}]},
]
# Tried in priority order: 'retired' is rejected everywhere, so ok1 needs 2 attempts and ok2 needs 3.
CREDENTIALS = [
    {"name": "retired", "username": "retired", "password": "Old-pass1", "priority": 10, "tags": ["core"]},
    {"name": "netops", "username": "netops", "password": "N3tops!lab", "priority": 20, "tags": ["core"]},
    {"name": "admin", "username": "admin", "password": "Adm1n!lab", "priority": 30, "tags": ["core"]},
]

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOK = os.path.join(REPO_ROOT, "playbooks", "backup.yml")


def descendants(pid):
    """Ids of every process below pid (from /proc): Ansible workers call setsid, so killpg misses them."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, encoding="utf-8") as stream:
                stat = stream.read()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(process):
    """SIGKILL a Popen and every process below it, by id (a run killed hard, workers included)."""
    pids = [process.pid] + descendants(process.pid)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=30)


def closed_port():
    """A loopback TCP port nothing listens on (bound then released: connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(db_url, key, devices, credentials):
    """Insert tags, credentials and devices; returns {hostname: device_id}, {credential name: id}.

    devices: [{hostname, ip_address, port, tags, [device_type], [enabled]}]
    credentials: [{name, username, password, tags, [priority]}]
    """
    engine = create_db_engine(db_url)
    box = secret_box_for(engine, key)
    try:
        with session_scope(engine) as session:
            tags = {}

            def tag(name):
                if name not in tags:
                    tags[name] = Tag(name=name)
                    session.add(tags[name])
                return tags[name]

            creds = {}
            for spec in credentials:
                cred = Credential(name=spec["name"], username=spec["username"], password=box.encrypt(spec["password"]),
                                  priority=spec.get("priority", 100), tags=[tag(t) for t in spec.get("tags", ())])
                session.add(cred)
                creds[spec["name"]] = cred
            devs = {}
            for spec in devices:
                device = Device(hostname=spec["hostname"], ip_address=spec["ip_address"], port=spec["port"],
                                device_type=spec.get("device_type", "cisco_ios"), enabled=spec.get("enabled", True),
                                tags=[tag(t) for t in spec.get("tags", ())])
                session.add(device)
                devs[spec["hostname"]] = device
            for name in set(t for spec in devices for t in spec.get("tags", ())) | set(
                    t for spec in credentials for t in spec.get("tags", ())):
                tag(name)
            session.flush()
            return ({name: d.id for name, d in devs.items()}, {name: c.id for name, c in creds.items()})
    finally:
        engine.dispose()


def write_inventory(path, db_url, hostnames=None):
    """A static YAML inventory of the seeded devices, with the vars the netraven inventory gives.

    The chains come from the core resolver, as the inventory plugin builds them.
    """
    from ansible_collections.netraven.netraven.plugins.module_utils._inventory._chains import resolve_targets

    engine = create_db_engine(db_url)
    try:
        with session_scope(engine) as session:
            devices = resolve_targets(session, hostnames=hostnames, include_disabled=True)
    finally:
        engine.dispose()
    hosts = {}
    for device in devices:
        hosts[device["hostname"]] = {
            "ansible_host": device["ip_address"],
            "ansible_port": device["port"],
            "netraven_device_id": device["id"],
            "netraven_device_type": device["device_type"],
            "netraven_credentials": [{"id": c["id"], "username": c["username"], "priority": c["priority"]}
                                     for c in device["credentials"]],
        }
    with open(path, "w", encoding="utf-8") as stream:
        yaml.safe_dump({"all": {"hosts": hosts}}, stream)
    return str(path)


def playbook_command(inventory, extra_vars=None, limit=None, playbook=PLAYBOOK):
    """The ansible-playbook command line (the venv's, next to this Python)."""
    binary = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    command = [binary if os.path.exists(binary) else "ansible-playbook", "-i", str(inventory), playbook]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    if limit:
        command += ["--limit", limit]
    return command


def run_playbook(env, inventory, extra_vars=None, limit=None, timeout=180, playbook=PLAYBOOK):
    """Run the backup playbook; returns the CompletedProcess (stdout and stderr as text)."""
    return subprocess.run(playbook_command(inventory, extra_vars, limit, playbook), env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def recap(stdout):
    """{host: {ok: n, failed: n, ...}} from the PLAY RECAP."""
    hosts = {}
    lines = stdout.split("PLAY RECAP", 1)[-1].splitlines()
    for line in lines[1:]:
        if ":" not in line:
            continue
        host, _sep, counters = line.partition(":")
        values = {}
        for item in counters.split():
            name, _eq, number = item.partition("=")
            if number.isdigit():
                values[name] = int(number)
        if values:
            hosts[host.strip()] = values
    return hosts


def job_rows(db_url):
    """Every job with its results and job-level logs, as plain dicts.

    A playbook may be starting a job while this reads (the killed-run test polls): rows of a
    job created after the first SELECT are left out rather than breaking the read.
    """
    engine = create_db_engine(db_url)
    try:
        with session_scope(engine) as session:
            jobs = {}
            for job in session.scalars(sa.select(Job).order_by(Job.id)):
                jobs[job.id] = {"status": job.status, "completed_at": job.completed_at, "results": {}, "logs": []}
            for result in session.execute(
                    sa.select(JobResult.job_id, Device.hostname, JobResult.status, JobResult.details)
                    .join(Device, Device.id == JobResult.device_id)):
                if result.job_id in jobs:
                    jobs[result.job_id]["results"][result.hostname] = {"status": result.status, "details": result.details}
            for log in session.scalars(sa.select(JobLog).where(JobLog.device_id.is_(None)).order_by(JobLog.id)):
                if log.job_id in jobs:
                    jobs[log.job_id]["logs"].append({"level": log.level, "message": log.message, "data": log.data})
            return jobs
    finally:
        engine.dispose()


def lab_devices(device_lab):
    """Start the lab of LAB_SPECS; its devices as seed() specs, tagged core and lab."""
    lab = device_lab(LAB_SPECS)
    return [{"hostname": name, "ip_address": lab.address(name), "port": lab.port(name),
             "device_type": spec["platform"], "tags": ["core", "lab"]}
            for name, spec in ((spec["name"], spec) for spec in LAB_SPECS)]


def dead_devices(count, first=2, prefix="dead"):
    """count devices on a closed loopback port (FAILED_UNREACHABLE at once), tagged core."""
    port = closed_port()
    return [{"hostname": "%s%d" % (prefix, n), "ip_address": "127.0.0.%d" % (first + n), "port": port, "tags": ["core"]}
            for n in range(1, count + 1)]
