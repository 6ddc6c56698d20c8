"""Real device outputs (tests/captures) backed up from the device lab through ``ansible-playbook``.

One lab device per capture serves the capture verbatim: the first read as captured, the
second with only the lines the real device moves between reads moved. Two playbook runs
per database, with session logs on: every secret masked in the stored copy, the database,
the output and the session log; the configuration complete (SUCCESS) and the second run no
new version. The session log holds the very masked lines the stored copy holds (the same
masker, markers and profile, the user's platforms file included: the EdgeSwitch below is
served by a user profile only). The FortiGate is backed up without a change to its console.
"""

import json
import re
from types import SimpleNamespace

import pytest

from devicelab import Lab  # pylint: disable=import-error

from _ansible import ansible_env, ansible_playbook, read_tree_results, with_tree_results  # pylint: disable=import-error
import _backup_scenario as scenario  # pylint: disable=import-error
from _databases import TEST_KEY, require_pg  # pylint: disable=import-error
from _seed import seed  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.tests.captures.corpus import load_all

pytestmark = [pytest.mark.lab, pytest.mark.slow]

PASSWORD = "Capt-ure!Lab9"
CAPTURES = load_all()
USER_DEVICE = "cap-user-edgeswitch"
# The user's profile masks the EdgeSwitch's RADIUS key, which no built-in profile knows.
USER_FILE = {"profiles": {"edgeswitch": {
    "device_types": ["ubiquiti_edgeswitch"], "commands": ["show running-config"], "end": "^exit$",
    "volatile": ["^!System Up Time", "^!Current SNTP Synchronized Time:"],
    "secrets": [r'^username "\S+" password (?P<secret>\S+)', r'^snmp-server community "(?P<secret>[^"]+)',
                r"^radius server key auth \S+ encrypted (?P<secret>\S+)"]}}}
USER_SECRETS = [r'password (\S+) level', r'community "([^"]+)"', r"encrypted (\S+)$"]
BACKENDS = ["sqlite", "postgresql"]


def _name(capture):
    return "cap-" + re.sub(r"[^A-Za-z0-9-]+", "-", capture.name)


def _specs():
    cred = [{"username": "capops", "password": PASSWORD, "privilege": 15}]
    specs = [{"name": _name(c), "platform": c.device_type, "credentials": cred, "enable_secret": PASSWORD,
              "outputs": c.served(2)} for c in CAPTURES]
    return specs + [{"name": USER_DEVICE, "platform": "ubiquiti_edgeswitch", "credentials": cred,
                     "enable_secret": PASSWORD}]


@pytest.fixture(scope="module", params=BACKENDS)
def runs(request, database_factories, tmp_path_factory):
    if request.param == "postgresql":
        require_pg()
    workdir = tmp_path_factory.mktemp("captures-" + request.param)
    url = database_factories[request.param].new_url()
    lab = Lab(_specs()).start()
    try:
        names = [s["name"] for s in _specs()]
        devices = [{"hostname": n, "ip_address": lab.address(n), "port": lab.port(n),
                    "device_type": lab.devices[n].platform, "tags": ["cap"]} for n in names]
        seeded = seed(url, credentials=[{"name": "capops", "username": "capops", "password": PASSWORD,
                                         "priority": 10, "tags": ["cap"]}],
                      devices=devices, jobs=[{"name": j, "tags": ["cap"]} for j in ("run1", "run2")], key=TEST_KEY)
        inventory = workdir / "lab.netraven.yml"
        inventory.write_text("plugin: netraven.netraven.netraven\n", encoding="utf-8")
        platforms = workdir / "platforms.yml"
        platforms.write_text(json.dumps(USER_FILE), encoding="utf-8")
        env = ansible_env(workdir, url, TEST_KEY)
        engine = create_db_engine(url)
        out = {}
        for label in ("run1", "run2"):
            tree, logs = workdir / ("tree-" + label), workdir / ("logs-" + label)
            proc = ansible_playbook(with_tree_results(env, tree), "netraven.netraven.backup", inventory,
                                    "-e", "netraven_job_id=%d" % seeded.jobs[label], "-f", "8",
                                    "-e", "netraven_connect_timeout=10", "-e", "netraven_command_timeout=30",
                                    "-e", "netraven_platforms_file=%s" % platforms,
                                    "-e", "netraven_session_log_dir=%s" % logs)
            logged = {n: (logs / (n + ".log")).read_text(encoding="utf-8") if (logs / (n + ".log")).exists() else ""
                      for n in names}
            out[label] = (proc, read_tree_results(tree), logged)
        stored = {n: scenario.configurations(engine, seeded.devices[n]) for n in names}
        yield SimpleNamespace(lab=lab, engine=engine, seeded=seeded, stored=stored, dump=scenario.dump_all(engine),
                              run1=out["run1"], run2=out["run2"])
        engine.dispose()
    finally:
        lab.stop()


def _ids(captures):
    return [c.name for c in captures]


def _stored_lines(runs, name):
    [config] = runs.stored[name]
    return [line.rstrip() for line in config["config_data"].split("\n")]


@pytest.mark.parametrize("capture", CAPTURES, ids=_ids(CAPTURES))
def test_complete_and_no_second_version_when_only_volatile_lines_moved(runs, capture):
    name = _name(capture)
    first, second = runs.run1[1][name], runs.run2[1][name]
    assert first.get("status") == "SUCCESS" and first["changed"] is True, first
    assert second.get("status") == "SUCCESS", second
    assert second["changed"] is False, second
    assert len(runs.stored[name]) == 1
    fetches = runs.lab.server.device(name).captures.fetches
    assert max(fetches.values()) >= 2, fetches  # the configuration was read twice: the capture, then it moved


@pytest.mark.parametrize("capture", CAPTURES, ids=_ids(CAPTURES))
def test_every_secret_masked_in_the_stored_copy_the_database_the_output_and_the_session_log(runs, capture):
    name = _name(capture)
    lines = _stored_lines(runs, name)
    for secret in capture.secrets:
        assert secret.line not in lines, secret.line
        assert any(secret.masked.fullmatch(line) for line in lines), secret.line
    places = {"database": runs.dump, "run1": runs.run1[0].stdout, "run2": runs.run2[0].stdout,
              "log1": runs.run1[2][name], "log2": runs.run2[2][name],
              "results": json.dumps([runs.run1[1][name], runs.run2[1][name]])}
    assert runs.run1[2][name], "no session log"
    for value in filter(_distinctive, set(capture.values()) | set(capture.absent)):
        for where, text in places.items():
            assert value not in text, "%s: %s in %s" % (capture.name, value[:12], where)


def _plain_text():
    """Every capture's text but its secret values: a value found in it ("password") is also a plain word."""
    parts = []
    for capture in CAPTURES:
        secret_lines = {secret.line: secret for secret in capture.secrets}
        for out in capture.outputs:
            for line in out.text.split("\n"):
                secret = secret_lines.get(line.rstrip())
                parts.append(secret.masked.pattern if secret else line)
    return "\n".join(parts)


PLAIN = _plain_text()


def _distinctive(value):
    return value not in PLAIN


@pytest.mark.parametrize("capture", [c for c in CAPTURES if c.secrets], ids=_ids([c for c in CAPTURES if c.secrets]))
def test_the_session_log_holds_the_stored_copys_masked_values(runs, capture):
    """The same masker (profile, markers, state across lines) for the log and the stored copy."""
    name = _name(capture)
    masked = [line for line in _stored_lines(runs, name) if "<secret" in line and not line.startswith(("! ", "# "))]
    assert masked
    logged = {line.rstrip() for line in runs.run1[2][name].split("\n")}
    missing = [line for line in masked if line not in logged]
    assert not missing, missing[:3]


def test_a_user_profile_masks_the_session_log_as_it_masks_the_stored_copy(runs):
    config = runs.lab.config(USER_DEVICE)
    values = {m.group(1) for pattern in USER_SECRETS for m in re.finditer(pattern, config, re.M)}
    assert len(values) >= 3, config
    [stored] = runs.stored[USER_DEVICE]
    key_line = next(line for line in stored["config_data"].split("\n") if line.startswith("radius server key auth"))
    assert "<secret:" in key_line
    for text in (stored["config_data"], runs.run1[2][USER_DEVICE], runs.run2[2][USER_DEVICE]):
        for value in values:
            assert value not in text, value[:8]
    assert key_line in runs.run1[2][USER_DEVICE]


def test_the_fortigate_is_backed_up_without_a_change_to_its_console(runs):
    [fortigate] = [c for c in CAPTURES if c.device_type == "fortinet"]
    name = _name(fortigate)
    assert runs.lab.server.device(name).changes == []
    [stored] = runs.stored[name]
    assert "config system console" not in stored["config_data"] and "set output" not in stored["config_data"]
