"""Helpers for the management-module playbook tests: run ansible-playbook, read the recap, dump a database."""

import os
import re
import shutil
import subprocess
import sys

import sqlalchemy as sa

PLAYBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "manage")
RECAP = re.compile(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)


def ansible_playbook():
    """ansible-playbook next to the running Python (the test venv), else the one on PATH."""
    candidate = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    return candidate if os.path.exists(candidate) else shutil.which("ansible-playbook")


def run_playbook(name, env, *args):
    """Run a playbook of playbooks/manage at -vvv; returns the CompletedProcess (text output)."""
    command = [ansible_playbook(), os.path.join(PLAYBOOKS, name), "-vvv"] + list(args)
    env = dict(env, ANSIBLE_PIPELINING="1")  # no module file copies: each task is a bit cheaper
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)


def recap(process):
    """{ok, changed, unreachable, failed} of localhost from the play recap."""
    found = RECAP.findall(process.stdout)
    assert found, "no play recap in output:\n%s\n%s" % (process.stdout[-3000:], process.stderr[-3000:])
    return dict(zip(("ok", "changed", "unreachable", "failed"), (int(v) for v in found[-1])))


def dump_database(url):
    """Every row of every table, as text (what a database dump would reveal)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    lines = []
    try:
        with engine.connect() as connection:
            for table in sorted(sa.inspect(connection).get_table_names()):
                reflected = sa.Table(table, sa.MetaData(), autoload_with=connection)
                for row in connection.execute(sa.select(reflected)):
                    lines.append("%s %r" % (table, tuple(row)))
    finally:
        engine.dispose()
    return "\n".join(lines)


def raw_sqlite_bytes(url):
    """The bytes of an SQLite database file and its WAL (empty for other backends)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return b""
    data = b""
    for path in (parsed.database, parsed.database + "-wal"):
        if os.path.exists(path):
            with open(path, "rb") as handle:
                data += handle.read()
    return data
