"""netraven.netraven.migrate and playbooks/migrate.yml, run by real ansible / ansible-playbook.

The action plugin migrates on the controller from the collection's own migrations;
check mode only reports; a second run changes nothing; errors are one line and never
show the URL's password.
"""

import json
import os
import re
import subprocess
import sys

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._db import _migrations
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import SCHEMA_REVISION

pytestmark = pytest.mark.slow

BIN = os.path.dirname(sys.executable)
RECAP = re.compile(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)
PASSWORD = "Secr3tPw"


def tool(name):
    path = os.path.join(BIN, name)
    return path if os.path.exists(path) else name


@pytest.fixture
def migrate_env(tmp_path):
    """Environment for ansible subprocesses: own HOME, the checkout's collection, no NETRAVEN_DB_URL."""
    home = tmp_path / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("NETRAVEN_DB", "ANSIBLE_"))}
    env.update({
        "HOME": str(home),
        "ANSIBLE_COLLECTIONS_PATH": os.environ["NETRAVEN_TEST_COLLECTIONS_PATH"],
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
    })
    return env


def run(command, env):
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180, check=False)
    return completed.returncode, completed.stdout + completed.stderr


def playbook(env, *extra):
    """Run ansible-playbook netraven.netraven.migrate; returns (rc, output, recap counts)."""
    rc, output = run([tool("ansible-playbook"), "netraven.netraven.migrate"] + list(extra), env)
    match = RECAP.search(output)
    assert match, output
    ok, changed, unreachable, failed = (int(value) for value in match.groups())
    return rc, output, {"ok": ok, "changed": changed, "unreachable": unreachable, "failed": failed}


def adhoc(env, *args):
    """Run the module ad hoc with the one-line callback; returns (rc, state, result dict)."""
    rc, output = run([tool("ansible"), "localhost", "-o", "-m", "netraven.netraven.migrate"] + list(args), env)
    line = next(line for line in output.splitlines() if line.startswith("localhost | "))
    state, payload = line[len("localhost | "):].split(" => ", 1)
    return rc, state.strip(), json.loads(payload)


def test_check_mode_then_migrate_then_nothing_to_do(empty_db_url, migrate_env):
    migrate_env["NETRAVEN_DB_URL"] = empty_db_url
    rc, state, result = adhoc(migrate_env, "--check")
    assert (rc, state) == (0, "CHANGED"), result
    assert result["before"] is None and result["after"] == SCHEMA_REVISION
    assert result["migrations"] == ["0001_initial", "0002_connection_log_credential", "0003_job_results",
                                    "0004_config_original", "0005_install_secrets", "0006_reaching_devices",
                                    SCHEMA_REVISION]
    assert _migrations.current_revision(empty_db_url) is None

    rc, output, recap = playbook(migrate_env)
    assert rc == 0 and recap["changed"] == 1 and recap["failed"] == 0, output
    assert "no schema -> %s" % SCHEMA_REVISION in output
    assert _migrations.current_revision(empty_db_url) == SCHEMA_REVISION

    rc, output, recap = playbook(migrate_env)
    assert rc == 0 and recap["changed"] == 0 and recap["failed"] == 0, output
    assert "%s -> %s (0 migration(s))" % (SCHEMA_REVISION, SCHEMA_REVISION) in output


def test_revision_option_and_upgrade_from_an_older_schema(database_factories, migrate_env):
    url = database_factories["sqlite"].new_url(migrated=False)
    rc, output, recap = playbook(migrate_env, "-e", "netraven_db_url=%s" % url, "-e", "netraven_revision=0002")
    assert rc == 0 and recap["changed"] == 1, output
    assert _migrations.current_revision(url) == "0002_connection_log_credential"

    rc, state, result = adhoc(migrate_env, "-a", "db_url=%s" % url)
    assert (rc, state) == (0, "CHANGED"), result
    assert (result["before"], result["after"], result["migrations"]) == (
        "0002_connection_log_credential", SCHEMA_REVISION, ["0003_job_results", "0004_config_original",
                                                            "0005_install_secrets", "0006_reaching_devices", SCHEMA_REVISION])
    assert result["database"] == url

    # Asking for an older revision leaves a newer database alone.
    rc, state, result = adhoc(migrate_env, "-a", "db_url=%s revision=0001_initial" % url)
    assert (rc, state, result["after"]) == (0, "SUCCESS", SCHEMA_REVISION), result


def test_unreachable_database_fails_in_one_line_without_the_password(migrate_env):
    import socket  # pylint: disable=import-outside-toplevel
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    migrate_env["NETRAVEN_DB_URL"] = "postgresql+psycopg2://netraven:%s@127.0.0.1:%d/netraven" % (PASSWORD, port)
    rc, output, recap = playbook(migrate_env)
    assert rc != 0 and recap["failed"] == 1, output
    assert PASSWORD not in output
    fatal = [line for line in output.splitlines() if line.startswith("fatal:")]
    assert len(fatal) == 1 and "Traceback" not in output
    message = json.loads(fatal[0].split(" => ", 1)[1])["msg"]
    assert "127.0.0.1" in message and "netraven:***@" in message and "\n" not in message


def test_unknown_revision_fails_in_one_line(database_factories, migrate_env):
    url = database_factories["sqlite"].new_url(migrated=False)
    rc, state, result = adhoc(migrate_env, "-a", "db_url=%s revision=nonexistent" % url)
    assert rc != 0 and state == "FAILED!"
    assert "nonexistent" in result["msg"] and SCHEMA_REVISION in result["msg"] and "\n" not in result["msg"]
    assert _migrations.current_revision(url) is None
