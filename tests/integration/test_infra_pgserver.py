"""The test infrastructure's throwaway PostgreSQL (scripts/pgserver.py).

The first tests check the server `make pytest` runs this suite against (NETRAVEN_TEST_PG_URL);
the others start servers of their own through the wrapper and check that it hands the URL to
the command, returns the command's exit code, and leaves neither a server nor a directory
behind, also when it is stopped by a signal.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PGSERVER = os.path.join(REPO, "scripts", "pgserver.py")

sys.path.insert(0, os.path.join(REPO, "scripts"))
import pgserver  # noqa: E402  pylint: disable=wrong-import-position,import-error

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

# The child prints the URL it got, checks that the server answers, then exits as told.
CHILD = r"""
import os, sys, time, sqlalchemy as sa
url = os.environ["NETRAVEN_TEST_PG_URL"]
print("URL " + url, flush=True)
engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
with engine.connect() as conn:
    print("VERSION %s" % conn.exec_driver_sql("show server_version_num").scalar(), flush=True)
time.sleep(float(sys.argv[2]))
sys.exit(int(sys.argv[1]))
"""


def outer_url():
    url = os.environ.get("NETRAVEN_TEST_PG_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("NETRAVEN_TEST_PG_URL is not set: run the tests through 'make test'")
        pytest.skip("needs NETRAVEN_TEST_PG_URL (make pytest starts a throwaway server)")
    return url


def have_postgres():
    try:
        pgserver.find_bindir(None)
    except SystemExit:
        return False
    return True


needs_postgres = pytest.mark.skipif(not have_postgres() and not os.environ.get("CI"),
                                    reason="PostgreSQL server binaries are not installed")


def port_open(port):
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_wrapper(exit_code=0, sleep=0.0):
    return subprocess.Popen(
        [sys.executable, PGSERVER, "run", "--", sys.executable, "-c", CHILD, str(exit_code), str(sleep)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)


def data_dir(stderr):
    match = re.search(r"data (\S+)/data\)", stderr)
    assert match, stderr
    return match.group(1)


def wait_for_line(stream, prefix):
    for line in stream:
        if line.startswith(prefix):
            return line[len(prefix):].strip()
    raise AssertionError("no %r line from the wrapper" % prefix)


def test_url_is_a_loopback_postgresql_15_with_room_for_many_clients():
    url = sa.engine.make_url(outer_url())
    if not os.environ.get(pgserver.ENV_THROWAWAY) and not os.environ.get("CI"):
        pytest.skip("NETRAVEN_TEST_PG_URL points at a server of your own, not the wrapper's throwaway one")
    assert url.drivername == "postgresql+psycopg2"
    assert url.host == "127.0.0.1" and url.database == "postgres" and url.password
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        assert int(conn.exec_driver_sql("show server_version_num").scalar()) // 10000 == 15
        assert int(conn.exec_driver_sql("show max_connections").scalar()) >= 300
        assert conn.exec_driver_sql("show fsync").scalar() == "off"
    engine.dispose()


def test_sixty_concurrent_clients_on_a_database_of_their_own():
    url = outer_url()
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = "infra_%d" % os.getpid()
    with admin.connect() as conn:
        conn.exec_driver_sql('CREATE DATABASE "%s"' % name)
    try:
        own = sa.create_engine(sa.engine.make_url(url).set(database=name), poolclass=sa.pool.NullPool)

        def hold(client):
            with own.connect() as conn:
                time.sleep(0.5)
                return client, conn.exec_driver_sql("select current_database()").scalar()

        with ThreadPoolExecutor(60) as pool:
            assert sorted(pool.map(hold, range(60))) == [(client, name) for client in range(60)]
        own.dispose()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql('DROP DATABASE "%s" WITH (FORCE)' % name)
        admin.dispose()


@needs_postgres
def test_wrapper_runs_the_command_returns_its_code_and_cleans_up():
    proc = start_wrapper(exit_code=7)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 7, err
    url = sa.engine.make_url(re.search(r"^URL (\S+)$", out, re.M).group(1))
    assert re.search(r"^VERSION 15\d{4}$", out, re.M), out
    assert url.render_as_string(hide_password=False) != os.environ.get("NETRAVEN_TEST_PG_URL")
    assert url.password and url.password not in err  # the wrapper's log masks it
    assert not os.path.exists(data_dir(err))
    assert not port_open(url.port)


@needs_postgres
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_wrapper_stopped_by_a_signal_leaves_nothing_behind(signum):
    proc = start_wrapper(sleep=300)
    try:
        port = sa.engine.make_url(wait_for_line(proc.stdout, "URL ")).port
        wait_for_line(proc.stdout, "VERSION ")
        assert port_open(port)
        started = time.monotonic()
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
        elapsed = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    # The command was stopped (a SIGINT is passed on after a 3 s grace), then the server.
    assert proc.returncode == 128 + signum, (proc.returncode, out, err)
    assert elapsed < 30
    assert not os.path.exists(data_dir(err))
    assert not port_open(port)
