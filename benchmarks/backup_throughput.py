#!/usr/bin/env python
"""Backup throughput: the collection's backup playbook against a plain threaded netmiko script.

    python benchmarks/backup_throughput.py [--devices 100] [--forks 20] [--memory-forks 50]
        [--old-core DIR] [--rounds 1] [--lockout-threshold 0] [--pg-url URL] [--sealed-as 2]

One command, one device lab (a child process), one database. Two fleets of --devices lab
devices: "first", where every device accepts the first credential of its chain, and
"half", where the odd devices accept only the second. For each fleet it times, at -f FORKS:

* netmiko: a threaded netmiko script with FORKS threads doing the same device work (chain
  fallback, fetch, disconnect), writing nothing: the floor every ratio is taken against;
* playbook: ``ansible-playbook netraven.netraven.backup`` (playbooks/backup.yml: job start,
  the backup of every device, job finish), a new job per run;
* one device: the same playbook for one device of the fleet: the fixed cost;
* debug: a playbook with one ``debug`` task over the same hosts: Ansible's own per-host cost;
* debug (static): the same over a static YAML inventory of the same hosts: Ansible's per-host
  cost without the collection's inventory plugin (and SQLAlchemy) in the controller;
* bare: one ``debug`` task on the implicit localhost: ansible-playbook's own fixed cost, which
  the "one device" row is also given as a ratio of.

Before every playbook run the devices' last working credentials are cleared, so that each
"half" device does need its second credential every time. Before the timed runs, one
untimed playbook run per fleet stores every configuration, so
that every timed run sees them unchanged, the nightly case (otherwise the first contender
alone would store a new version per device). With --rounds N every contender runs N
times, the rounds in turn, and each figure is the median of its N runs.

It prints wall seconds, CPU seconds (user + system of the child processes), CPU seconds per
device beyond the one-device run ((playbook CPU - one-device CPU) / (devices - 1)) and each
wall ratio to the netmiko floor. Then the memory per worker: the playbook over the "first"
fleet at -f MEMORY_FORKS while a sampler records each forked worker's peak RSS and USS (psutil).

--old-core DIR (a checkout of another commit, e.g. ``git worktree add /tmp/old main~3``)
adds "playbook (old)" and "one device (old)": the same playbook and core from DIR, run
alternately with this checkout's, so that one command compares the two on the same load.
The lab and netmiko floor are this checkout's; when DIR's schema revision is older, the old
core gets a database of its own, migrated to that revision and seeded alike.

--sealed-as 1 seals the credential passwords as release 0.1 did (format version 1, which every
core opens: use it with --old-core from before versioned ciphertexts); the default, 2, is what
the credential module writes now.

Not part of the tests: timings on a shared machine are figures, not assertions; compare ratios
of one run, not absolute figures of two.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import json

import psutil

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [REPO_ROOT, os.path.join(REPO_ROOT, "tests", "integration")]
import conftest  # noqa: E402,F401 pylint: disable=wrong-import-position,unused-import

import re  # noqa: E402 pylint: disable=wrong-import-position

import _fleet as fleet  # noqa: E402 pylint: disable=wrong-import-position,import-error
from _ansible import ansible_env  # noqa: E402 pylint: disable=wrong-import-position,import-error
from _databases import DatabaseFactory  # noqa: E402 pylint: disable=wrong-import-position,import-error
from _seed import seed  # noqa: E402 pylint: disable=wrong-import-position,import-error
from devicelab import LabProcess  # noqa: E402 pylint: disable=wrong-import-position,import-error

KEY = "benchmark-passphrase"
FLEETS = ("first", "half")
DEBUG_BOOK = "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.debug:\n        msg: hi\n"
BARE_BOOK = DEBUG_BOOK.replace("hosts: all", "hosts: localhost")


def device_name(fleet_name, index):
    return "%s-%03d" % (fleet_name, index)


def accepted_user(fleet_name, index):
    return "second" if fleet_name == "half" and fleet.needs_second(index) else "first"


def lab_specs(count):
    return [{"name": device_name(f, i), "platform": fleet.PLATFORMS[i % len(fleet.PLATFORMS)],
             "credentials": [{"username": accepted_user(f, i), "password": fleet.PASSWORDS[accepted_user(f, i)],
                              "privilege": 15}]}
            for f in FLEETS for i in range(count)]


def device_rows(lab, count):
    """Tags: "fleet" (the credentials'), the fleet's name, and "solo-<fleet>" on its first device."""
    return [{"hostname": device_name(f, i), "ip_address": lab.address(device_name(f, i)),
             "port": lab.port(device_name(f, i)), "device_type": fleet.PLATFORMS[i % len(fleet.PLATFORMS)],
             "tags": ["fleet", f] + (["solo-" + f] if i == 0 else [])}
            for f in FLEETS for i in range(count)]


def timed(command, env=None, sampler=None):
    """Run a command; returns (wall seconds, child CPU seconds, CompletedProcess)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if sampler:
        sampler.watch(proc.pid)
    stdout, stderr = proc.communicate()
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if sampler:
        sampler.stop()
    return wall, cpu, subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)


class WorkerMemory:
    """Peak RSS and USS of every process forked by one ansible-playbook (its workers)."""

    def __init__(self):
        self.peaks = {}
        self._stop = threading.Event()
        self._thread = None

    def watch(self, pid):
        self._thread = threading.Thread(target=self._sample, args=(pid,), daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join()

    def _sample(self, pid):
        try:
            main = psutil.Process(pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.is_set():
            try:
                children = main.children(recursive=False)
            except psutil.NoSuchProcess:
                return
            for child in children:
                try:
                    info = child.memory_full_info()
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                rss, uss = self.peaks.get(child.pid, (0, 0))
                self.peaks[child.pid] = (max(rss, info.rss), max(uss, info.uss))
            time.sleep(0.05)


def write(path, text):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def collections_tree(workdir, label, checkout):
    """An ANSIBLE_COLLECTIONS_PATH whose netraven.netraven is checkout."""
    tree = os.path.join(workdir, "collections-" + label)
    os.makedirs(os.path.join(tree, "ansible_collections", "netraven"))
    os.symlink(os.path.abspath(checkout), os.path.join(tree, "ansible_collections", "netraven", "netraven"))
    return tree


def static_inventory(path, lab, fleet_name, count):
    """A YAML inventory of the fleet's hosts with their addresses and ports, as the plugin gives them."""
    hosts = {device_name(fleet_name, i): {"ansible_host": lab.address(device_name(fleet_name, i)),
                                          "ansible_port": lab.port(device_name(fleet_name, i))} for i in range(count)}
    return write(path, json.dumps({"all": {"hosts": hosts}}))  # JSON is YAML


def forget_last_credentials(db_url):
    """Clear every device's last working credential, which the inventory puts first in its chain.

    Without this, the run after the warm-up would find each "half" device's second credential
    first in its chain and log in once, where the netmiko floor always tries both.
    """
    import sqlalchemy as sa  # pylint: disable=import-outside-toplevel
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE devices SET last_credential_id = NULL"))
    finally:
        engine.dispose()


def schema_revision(checkout):
    """The SCHEMA_REVISION a checkout's core needs (read from its models file, either layout)."""
    for relative in ("plugins/module_utils/_db/_models.py", "plugins/module_utils/_models.py"):
        path = os.path.join(checkout, relative)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                return re.search(r'^SCHEMA_REVISION = "([^"]+)"', handle.read(), re.M).group(1)
    raise SystemExit("%s has no NetRaven models file" % checkout)


def database_for(factory, revision, lab, count, sealed_as):
    """A database at the given schema revision, seeded with the benchmark's fleets."""
    from ansible_collections.netraven.netraven.plugins.module_utils._db import _migrations  # pylint: disable=import-outside-toplevel
    from ansible_collections.netraven.netraven.plugins.module_utils._db._models import SCHEMA_REVISION  # pylint: disable=import-outside-toplevel

    if revision == SCHEMA_REVISION:
        url = factory.new_url()
    else:
        url = factory.new_url(migrated=False)
        _migrations.upgrade(url, revision)
    seed(url, credentials=fleet.CREDENTIALS, devices=device_rows(lab, count), jobs=[], key=KEY, sealed_as=sealed_as)
    return url


def medians(figures):
    """{label: (median wall, median CPU)} of (label, wall, cpu) triples, in the labels' first order."""
    runs = {}
    for label, wall, cpu in figures:
        runs.setdefault(label, []).append((wall, cpu))

    def median(values):
        values = sorted(values)
        middle = len(values) // 2
        return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2.0

    return {label: (median([w for w, _c in pairs]), median([c for _w, c in pairs])) for label, pairs in runs.items()}


def main():  # pylint: disable=too-many-locals,too-many-statements
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--forks", type=int, default=20)
    parser.add_argument("--memory-forks", type=int, default=50)
    parser.add_argument("--old-core", metavar="DIR", help="a checkout of another commit, run alternately with this one")
    parser.add_argument("--rounds", type=int, default=1, help="runs of every contender, in turn; figures are medians")
    parser.add_argument("--lockout-threshold", type=int, default=0,
                        help="the playbook's netraven_lockout_threshold (default 0: the script has no guard either; "
                             "the playbook's own default is 5)")
    parser.add_argument("--pg-url", default=os.environ.get("NETRAVEN_TEST_PG_URL"),
                        help="PostgreSQL admin URL (a database is created and dropped); default: embedded SQLite")
    parser.add_argument("--sealed-as", type=int, choices=(1, 2), default=2,
                        help="format version of the seeded passwords (1: as 0.1 sealed them, which older cores open)")
    args = parser.parse_args()
    n = args.devices
    workdir = tempfile.mkdtemp(prefix="netraven-bench-")
    backend = "postgresql" if args.pg_url else "sqlite"
    if args.pg_url:
        os.environ["NETRAVEN_TEST_PG_URL"] = args.pg_url
    factory = DatabaseFactory(backend, workdir)
    lab = LabProcess(spec=lab_specs(n), workdir=os.path.join(workdir, "lab")).start()
    try:
        db_url = database_for(factory, schema_revision(REPO_ROOT), lab, n, args.sealed_as)
        env = ansible_env(workdir, db_url, KEY)
        cores = {"new": env}
        databases = {"new": db_url}
        if args.old_core:
            revision = schema_revision(args.old_core)
            databases["old"] = db_url if revision == schema_revision(REPO_ROOT) else database_for(
                factory, revision, lab, n, args.sealed_as)
            cores["old"] = dict(env, ANSIBLE_COLLECTIONS_PATH=collections_tree(workdir, "old", args.old_core),
                                NETRAVEN_DB_URL=databases["old"])
        debug_book = write(os.path.join(workdir, "debug.yml"), DEBUG_BOOK)
        bare_book = write(os.path.join(workdir, "bare.yml"), BARE_BOOK)
        extra = ["-e", "netraven_lockout_threshold=%d" % args.lockout_threshold]

        def playbook(core, tag, forks=args.forks, sampler=None):
            forget_last_credentials(databases[core])
            inventory = write(os.path.join(workdir, "%s.netraven.yml" % tag), "plugin: netraven.netraven.netraven\ntags: [%s]\n" % tag)
            return timed(["ansible-playbook", "-i", inventory, "netraven.netraven.backup", "-f", str(forks)] + extra,
                         env=cores[core], sampler=sampler)

        rows = {}
        for name in FLEETS:
            chains = [{"host": lab.address(device_name(name, i)), "port": lab.port(device_name(name, i)),
                       "device_type": fleet.PLATFORMS[i % len(fleet.PLATFORMS)],
                       "chain": [{"username": c["username"], "password": c["password"]} for c in fleet.CREDENTIALS]}
                      for i in range(n)]
            baseline = write(os.path.join(workdir, name + ".json"), json.dumps(chains))
            static = static_inventory(os.path.join(workdir, name + ".static.yml"), lab, name, n)
            # Stores every configuration (in each core's database): no timed run stores one.
            runs = [("warm-up", playbook(core, name)) for core in sorted(set(cores), reverse=True)
                    if core == "new" or databases[core] != db_url]
            for _round in range(args.rounds):
                runs.append(("netmiko", timed([sys.executable, os.path.join(REPO_ROOT, "benchmarks", "_netmiko_baseline.py"),
                                               baseline, str(args.forks)])))
                for core in sorted(cores, reverse=True):  # "old" first, then "new": alternating per fleet
                    label = "" if core == "new" else " (old)"
                    runs.append(("playbook" + label, playbook(core, name)))
                    runs.append(("one device" + label, playbook(core, "solo-" + name)))
                inventory = os.path.join(workdir, "%s.netraven.yml" % name)
                runs.append(("debug", timed(["ansible-playbook", "-i", inventory, debug_book, "-f", str(args.forks)], env=env)))
                runs.append(("debug (static)", timed(["ansible-playbook", "-i", static, debug_book, "-f", str(args.forks)],
                                                     env=env)))
                runs.append(("bare", timed(["ansible-playbook", bare_book], env=env)))
            failed = [(label, proc) for label, (_w, _c, proc) in runs if proc.returncode]
            for label, proc in failed:
                sys.stderr.write("%s exited %d:\n%s%s\n" % (label, proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
            if failed:
                return 1
            rows[name] = runs

        print("backup throughput: %d lab devices per fleet, -f %d, %s database, lockout threshold %d, passwords at version %d, "
              "median of %d round(s)%s" % (n, args.forks, backend, args.lockout_threshold, args.sealed_as, args.rounds,
                                           ", old core %s" % args.old_core if args.old_core else ""))
        print("  fleet 'first': every device accepts the 1st credential; 'half': the odd devices only the 2nd")
        print("  %-6s %-18s %8s %8s %14s %10s" % ("fleet", "contender", "wall s", "CPU s", "CPU s/device", "/ netmiko"))
        for name, runs in rows.items():
            results = medians((label, wall, cpu) for label, (wall, cpu, _p) in runs if label != "warm-up")
            floor = results["netmiko"][0]
            for label, (wall, cpu) in results.items():
                per_device = ""
                if label.startswith("playbook"):
                    solo = results["one device" + label[len("playbook"):]][1]
                    per_device = "%.3f beyond 1" % ((cpu - solo) / max(n - 1, 1))
                elif label in ("netmiko", "debug", "debug (static)"):
                    per_device = "%.3f" % (cpu / n)
                against_bare = "  %.2fx bare" % (wall / results["bare"][0]) if label.startswith("one device") else ""
                print("  %-6s %-18s %8.1f %8.1f %14s %9.2fx%s" % (name, label, wall, cpu, per_device, wall / floor,
                                                                  against_bare))

        for core in sorted(cores, reverse=True):
            sampler = WorkerMemory()
            wall, _cpu, proc = playbook(core, "first", forks=args.memory_forks, sampler=sampler)
            if proc.returncode:
                sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
                return 1
            peaks = sorted(sampler.peaks.values())
            if peaks:
                rss = sorted(p[0] for p in peaks)
                uss = sorted(p[1] for p in peaks)
                mib = 1024.0 * 1024.0
                print("  memory per worker, playbook -f %d over 'first'%s (%d processes sampled, wall %.1f s): "
                      "RSS median %.0f MiB max %.0f MiB; USS (private) median %.1f MiB max %.1f MiB"
                      % (args.memory_forks, "" if core == "new" else " (old)", len(peaks), wall,
                         rss[len(rss) // 2] / mib, rss[-1] / mib, uss[len(uss) // 2] / mib, uss[-1] / mib))
        return 0
    finally:
        lab.stop()
        factory.cleanup()


if __name__ == "__main__":
    sys.exit(main())
