#!/usr/bin/env python
"""Inventory at scale: 10,000 devices, 500 tags, 1,000 credentials on PostgreSQL.

    NETRAVEN_TEST_PG_URL=postgresql+psycopg2://postgres@127.0.0.1:55432/postgres \\
        python benchmarks/inventory_scale.py [--pg-url URL] [--runs 3] [--devices 10000]

Creates its own database on the server (and drops it), seeds it, then reports from that
one run:

* end to end: ``ansible-inventory --list`` over the netraven plugin (best of --runs);
* the floor: the same ``ansible-inventory --list`` over an executable script that serves
  the plugin's own --list output as a static JSON inventory (best of --runs), i.e. what
  Ansible itself needs for these hosts and variables; target: end to end <= 1.25 x floor;
* chain resolution in-process, one device at a time (a query per device, on one open
  connection) against the batch resolution of _chains.resolve_targets; target >= 10 x.

Exit status 1 when a target is missed. ansible-inventory is taken from the PATH (or --ansible-bin).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [REPO_ROOT, os.path.join(REPO_ROOT, "tests", "integration")]


def _collections_path():
    """Make ansible_collections.netraven.netraven importable here and in ansible-inventory."""
    parts = REPO_ROOT.split(os.sep)
    if parts[-3:-2] == ["ansible_collections"]:
        path = os.sep.join(parts[:-3])
        sys.path.insert(0, path)
        return path
    # The repo-root conftest links the checkout into .tmp/collections, as for the tests.
    import conftest  # noqa: F401 pylint: disable=import-outside-toplevel,unused-import
    return os.environ["NETRAVEN_TEST_COLLECTIONS_PATH"]


COLLECTIONS_PATH = _collections_path()

import sqlalchemy as sa  # noqa: E402 pylint: disable=wrong-import-position

from _seed import seed  # noqa: E402 pylint: disable=wrong-import-position,import-error
from ansible_collections.netraven.netraven.plugins.module_utils._db import _migrations  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._inventory._chains import resolve_targets, select_devices  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, session_scope  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (  # noqa: E402 pylint: disable=wrong-import-position
    Credential,
    credential_tag_association,
    device_tag_association,
)

KEY = "benchmark-passphrase"


def build_data(n_devices, n_tags, n_credentials, rng):
    """Tags, credentials (2 tags each) and devices (3 tags each; a third remember a working credential)."""
    tags = ["tag%03d" % i for i in range(n_tags)]
    credentials = []
    by_tag = {}
    for i in range(n_credentials):
        cred_tags = rng.sample(tags, 2)
        credentials.append({"name": "cred%04d" % i, "username": "user%04d" % i, "password": "Secret-%04d-%s" % (i, uuid.uuid4().hex),
                            "priority": rng.randint(1, 100), "tags": cred_tags})
        for tag in cred_tags:
            by_tag.setdefault(tag, []).append(credentials[-1]["name"])
    devices = []
    for i in range(n_devices):
        dev_tags = rng.sample(tags, 3)
        matching = [name for tag in dev_tags for name in by_tag.get(tag, ())]
        devices.append({"hostname": "dev%05d.example.net" % i, "ip_address": "10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255),
                        "device_type": rng.choice(["cisco_ios", "arista_eos", "juniper_junos"]), "tags": dev_tags,
                        "last_credential": rng.choice(matching) if matching and i % 3 == 0 else None})
    return tags, credentials, devices


def naive_resolution(session):
    """Chains one device at a time: the devices, then one query per device for its credentials."""
    devices = select_devices(session)
    for device in devices:
        rows = session.execute(
            sa.select(Credential.id, Credential.username, Credential.priority)
            .join(credential_tag_association, credential_tag_association.c.credential_id == Credential.id)
            .join(device_tag_association, device_tag_association.c.tag_id == credential_tag_association.c.tag_id)
            .where(device_tag_association.c.device_id == device["id"])
            .distinct()
            .order_by(Credential.priority, Credential.id)
        ).all()
        chain = [{"id": r[0], "username": r[1], "priority": r[2]} for r in rows]
        last = device["last_credential_id"]
        for index, credential in enumerate(chain):
            if credential["id"] == last:
                chain.insert(0, chain.pop(index))
                break
        device["credentials"] = chain
    return devices


def best_of(runs, func):
    """The fastest of `runs` timings of func() (seconds) and the last result."""
    best, result = None, None
    for dummy in range(runs):
        start = time.perf_counter()
        result = func()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def run_inventory(ansible_inventory, source, output, env):
    proc = subprocess.run([ansible_inventory, "-i", source, "--list", "--output", output], env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0 or "WARNING" in proc.stderr:
        sys.exit("ansible-inventory -i %s failed:\n%s" % (source, proc.stderr))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--pg-url", default=os.environ.get("NETRAVEN_TEST_PG_URL"),
                        help="PostgreSQL admin URL (default: env NETRAVEN_TEST_PG_URL)")
    parser.add_argument("--devices", type=int, default=10000)
    parser.add_argument("--tags", type=int, default=500)
    parser.add_argument("--credentials", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="runs per timing; the best counts")
    parser.add_argument("--ansible-bin", default=None, help="directory of ansible-inventory (default: PATH)")
    parser.add_argument("--keep", action="store_true", help="keep the database and work directory")
    args = parser.parse_args()
    if not args.pg_url:
        parser.error("give --pg-url or set NETRAVEN_TEST_PG_URL (a PostgreSQL admin URL)")
    ansible_inventory = shutil.which("ansible-inventory", path=args.ansible_bin or os.environ.get("PATH"))
    if not ansible_inventory:
        parser.error("ansible-inventory is not on the PATH")

    admin = sa.create_engine(args.pg_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    db_name = "nr_bench_%s" % uuid.uuid4().hex[:10]
    db_url = sa.engine.make_url(args.pg_url).set(database=db_name).render_as_string(hide_password=False)
    workdir = tempfile.mkdtemp(prefix="netraven-bench-")
    with admin.connect() as conn:
        conn.exec_driver_sql('CREATE DATABASE "%s"' % db_name)
    try:
        start = time.perf_counter()
        _migrations.upgrade(db_url)
        tags, credentials, devices = build_data(args.devices, args.tags, args.credentials, random.Random(20240601))
        seed(db_url, tags=tags, credentials=credentials, devices=devices, key=KEY)
        print("seeded %d devices, %d tags, %d credentials in %.1fs (database %s)" % (
            len(devices), len(tags), len(credentials), time.perf_counter() - start, db_name))

        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, NETRAVEN_DB_URL=db_url,
                   HOME=os.path.join(workdir, "home"), ANSIBLE_LOCAL_TEMP=os.path.join(workdir, "tmp"),
                   ANSIBLE_INVENTORY_UNPARSED_FAILED="1")
        os.makedirs(env["HOME"])
        source = os.path.join(workdir, "bench.netraven.yml")
        with open(source, "w", encoding="utf-8") as handle:
            handle.write("plugin: netraven.netraven.netraven\n")
        plugin_json = os.path.join(workdir, "plugin.json")
        floor_json = os.path.join(workdir, "floor.json")
        script = os.path.join(workdir, "static_inventory.sh")
        with open(script, "w", encoding="utf-8") as handle:
            handle.write('#!/bin/sh\nif [ "$1" = "--list" ]; then exec cat "%s"; fi\necho "{}"\n' % plugin_json)
        os.chmod(script, 0o755)

        run_inventory(ansible_inventory, source, plugin_json, env)  # warm-up (and the floor's data)
        plugin_time = best_of(args.runs, lambda: run_inventory(ansible_inventory, source, plugin_json, env))[0]
        floor_time = best_of(args.runs, lambda: run_inventory(ansible_inventory, script, floor_json, env))[0]
        with open(plugin_json, encoding="utf-8") as one, open(floor_json, encoding="utf-8") as two:
            plugin_data, floor_data = json.load(one), json.load(two)
        hosts = len(plugin_data["_meta"]["hostvars"])
        if hosts != len(devices) or plugin_data["_meta"]["hostvars"] != floor_data["_meta"]["hostvars"]:
            sys.exit("the static inventory does not reproduce the plugin's hosts")
        chain_lengths = [len(v["netraven_credentials"]) for v in plugin_data["_meta"]["hostvars"].values()]

        engine = create_db_engine(db_url)
        with session_scope(engine) as session:
            naive_time, naive = best_of(1, lambda: naive_resolution(session))
            batch_time, batch = best_of(args.runs, lambda: resolve_targets(session))
        engine.dispose()
        if [[c["id"] for c in d["credentials"]] for d in naive] != [[c["id"] for c in d["credentials"]] for d in batch]:
            sys.exit("naive and batch resolution disagree")

        end_to_end = plugin_time / floor_time
        speedup = naive_time / batch_time
        print("ansible-inventory: %s (%s)" % (ansible_inventory, subprocess.run(
            [ansible_inventory, "--version"], capture_output=True, text=True, check=False).stdout.splitlines()[0]))
        print("hosts: %d, credentials per chain: avg %.1f, max %d; --list output %.1f MB" % (
            hosts, sum(chain_lengths) / hosts, max(chain_lengths), os.path.getsize(plugin_json) / 1e6))
        print("end to end, ansible-inventory --list, netraven plugin : %6.2f s (best of %d)" % (plugin_time, args.runs))
        print("floor, same hosts as a static JSON inventory script   : %6.2f s (best of %d)" % (floor_time, args.runs))
        print("  ratio plugin / floor: %.2fx (target <= 1.25x) %s" % (end_to_end, "OK" if end_to_end <= 1.25 else "MISSED"))
        print("resolution one device at a time : %7.3f s (%d queries)" % (naive_time, len(devices) + 1))
        print("resolution in batch             : %7.3f s (best of %d)" % (batch_time, args.runs))
        print("  speed-up: %.1fx (target >= 10x) %s" % (speedup, "OK" if speedup >= 10 else "MISSED"))
        return 0 if end_to_end <= 1.25 and speedup >= 10 else 1
    finally:
        if args.keep:
            print("kept database %s and %s" % (db_name, workdir))
        else:
            with admin.connect() as conn:
                conn.exec_driver_sql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % db_name)
            shutil.rmtree(workdir, ignore_errors=True)
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
