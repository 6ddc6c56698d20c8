"""Bad input from the user or the database (docs/hardening.md): each case is a one-line error or a clean per-device failure, and nothing is lost.

One estate on PostgreSQL and one device lab hold every device case; a single run of
playbooks/backup.yml (with the HTML report) and one ansible-inventory listing cover
them, plus a few short CLI runs for the cases refused before any device is touched.
Each parametrised case then checks its own part of what the runs left behind.

The lab speaks UTF-8 only (asyncssh encodes every str strictly), so it cannot send
invalid UTF-8 byte sequences: the garbage case sends control bytes, escape sequences
and unusual code points; invalid sequences are covered by the unit test of the
session's decoder (tests/unit/plugins/module_utils/_backup/test_session_decoding.py).
"""

import hashlib
import json
import os
import re
import time
import types

import pytest
import sqlalchemy as sa

from devicelab import Lab  # pylint: disable=import-error

from _ansible import ansible_env, read_tree_results, with_tree_results  # pylint: disable=import-error
from _databases import TEST_KEY, require_pg  # pylint: disable=import-error
from _hardening import (  # pylint: disable=import-error
    BACKUP_PLAYBOOK,
    custom_stats,
    job_records,
    last_job_id,
    netraven_inventory,
    query,
    run,
)
from _seed import seed  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._platforms import profile_for
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential, Job

pytestmark = [pytest.mark.lab, pytest.mark.postgres, pytest.mark.slow]

TASK_PLAYBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "backup", "backup_hosts.yml")
OPS = {"username": "ops", "password": "Ops-Input-Pa55", "privilege": 15}
UNICODE_NAMES = {"uni-1": "коммутатор-1", "uni-2": "路由器-2"}
ALPHA_EQ = {"username": "alpha", "password": "Alpha-Eq-Pa55", "privilege": 15}
LAB_SPECS = [
    {"name": "eq-dev", "platform": "cisco_ios", "credentials": [ALPHA_EQ]},
    {"name": "odd-type", "platform": "cisco_ios", "credentials": [OPS]},
    {"name": "uni-1", "platform": "cisco_ios", "hostname": UNICODE_NAMES["uni-1"], "credentials": [OPS]},
    {"name": "uni-2", "platform": "juniper_junos", "hostname": UNICODE_NAMES["uni-2"], "credentials": [OPS]},
    {"name": "big", "platform": "cisco_ios", "credentials": [OPS]},
    {"name": "garbage", "platform": "arista_eos", "credentials": [OPS]},
    {"name": "sealed", "platform": "cisco_ios", "credentials": [OPS]},
]
CREDENTIALS = [
    {"name": "ops", "username": "ops", "password": OPS["password"], "priority": 10, "tags": ["lab"]},
    # Equal priorities: zulu was created first (lower id) and must come first, although
    # its name and username sort last.
    {"name": "zulu-eq", "username": "zulu", "password": "Zulu-Eq-Pa55", "priority": 50, "tags": ["eq"]},
    {"name": "alpha-eq", "username": "alpha", "password": "Alpha-Eq-Pa55", "priority": 50, "tags": ["eq"]},
]
FOREIGN_KEY = "a-key-this-controller-does-not-have"
BIG_TARGET_BYTES = 10 * 1024 * 1024
# Control bytes, escape sequences and unusual code points a broken device or a pasted banner may send.
GARBAGE_LINES = [
    "description nul\x00here bell\x07 backspace\x08 vt\x0b ff\x0c",
    "description esc \x1b[31mred\x1b[0m title\x1b]0;pwned\x07 del\x7f",
    "description c1 \x85\x9b\x9f bom\ufeff rlo\u202eevil\u202c zwj\u200d emoji \U0001F600 repl \ufffd",
]


def _big_body():
    """About 10 MB of IOS configuration, heavy in multi-byte UTF-8 (descriptions in Cyrillic and CJK)."""
    lines = ["hostname big", "!"]
    size = 0
    index = 0
    while size < BIG_TARGET_BYTES:
        slot, port = divmod(index, 48)
        values = (slot // 48, slot % 48, port, index, index, (index // 256) % 256, index % 256)
        block = ("interface GigabitEthernet%d/%d/%d\n description канал-связи-%d 链路-%d übergang\n"
                 " ip address 10.%d.%d.1 255.255.255.0\n!") % values
        lines.append(block)
        size += len(block.encode("utf-8")) + 1
        index += 1
    return "\n".join(lines)


@pytest.fixture(scope="module")
def estate(database_factories, tmp_path_factory):
    """Seed every case, run what each needs once, and hand the outcomes to the cases."""
    require_pg()
    workdir = tmp_path_factory.mktemp("bad-input")
    url = database_factories["postgresql"].new_url()
    lab = Lab(LAB_SPECS).start()
    try:
        def row(name, tags, hostname=None):
            return {"hostname": hostname or name, "ip_address": lab.address(name), "port": lab.port(name), "tags": tags}

        devices = [
            dict(row("eq-dev", ["eq"]), device_type="cisco_ios"),
            # Seeded directly: the device module refuses a device_type netmiko does not know.
            dict(row("odd-type", ["lab"]), device_type="cisco_foo"),
            # Tags that sanitise to the same group name.
            dict(row("uni-1", ["lab", "core-1"], UNICODE_NAMES["uni-1"]), device_type="cisco_ios"),
            dict(row("uni-2", ["lab", "core.1"], UNICODE_NAMES["uni-2"]), device_type="juniper_junos"),
            dict(row("big", ["lab"]), device_type="cisco_ios"),
            dict(row("garbage", ["lab"]), device_type="arista_eos"),
            # No tags at all: no chain.
            {"hostname": "no-tags", "ip_address": "192.0.2.77", "device_type": "cisco_ios", "tags": []},
        ]
        seeded = seed(url, credentials=CREDENTIALS, devices=devices, key=TEST_KEY)
        big_body = _big_body()
        lab.set_config("big", text=big_body)
        lab.set_config("garbage", extra_lines=GARBAGE_LINES)
        env = ansible_env(workdir, url, TEST_KEY, ANSIBLE_SHOW_CUSTOM_STATS="1")
        inventory = netraven_inventory(workdir / "estate.netraven.yml")
        listing = run(env, "ansible-inventory", "-i", inventory, "--list")
        report = workdir / "report.html"
        started = time.monotonic()
        backup = run(env, "ansible-playbook", "-i", inventory, BACKUP_PLAYBOOK, "-e", "netraven_report_path=%s" % report)
        backup_seconds = time.monotonic() - started
        job_id = last_job_id(url)
        records = job_records(url, job_id)

        # Cases refused before any device is touched.
        bad_url = run(dict(env, NETRAVEN_DB_URL="postgresql+psycopg2://netraven:Bad-Url-Pa55@db.example:notaport/netraven"),
                      "ansible-playbook", "-i", inventory, BACKUP_PLAYBOOK)
        blank = run(env, "ansible", "localhost", "-m", "netraven.netraven.credential",
                    "-a", "name=blank username=blank password='' tags=lab")

        # A credential sealed with another key, backed up by the task alone (a job start would refuse
        # the whole job first, as FAILED_CREDENTIAL_RESOLUTION; see test_job_playbook).
        foreign = seed(url, key=FOREIGN_KEY, credentials=[
            {"name": "foreign", "username": "ops", "password": OPS["password"], "priority": 5, "tags": ["sealed"]}],
            devices=[dict(row("sealed", ["sealed", "lab"]), device_type="cisco_ios")])
        tree = workdir / "tree-sealed"
        sealed = run(with_tree_results(env, tree), "ansible-playbook", "-i", inventory, TASK_PLAYBOOK, "--limit", "sealed")
        yield types.SimpleNamespace(
            url=url, lab=lab, seeded=seeded, listing=listing, backup=backup, backup_seconds=backup_seconds,
            job_id=job_id, records=records, report=report, bad_url=bad_url, blank=blank, big_body=big_body,
            sealed=sealed, sealed_result=read_tree_results(tree).get("sealed"), foreign=foreign)
    finally:
        lab.stop()


def _plain(value):
    """ansible-inventory --list marks database strings as untrusted: {"__ansible_unsafe": "x"} -> "x"."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _hostvars(estate):
    assert estate.listing.returncode == 0, estate.listing.stderr
    return _plain(json.loads(estate.listing.stdout))


def _one_result(estate, hostname):
    record = estate.records[hostname]
    assert len(record["results"]) == 1 and len(record["connections"]) == 1, record
    return record["results"][0], record["connections"][0]


def _fatal_msg(stdout, host):
    match = re.search(r"fatal: \[%s\]: FAILED! => (\{.*\})" % re.escape(host), stdout)
    assert match, stdout[-3000:]
    return json.loads(match.group(1))["msg"]


def case_malformed_url(estate):
    proc = estate.bad_url
    assert proc.returncode == 2
    message = _fatal_msg(proc.stdout, "localhost")
    assert message.startswith("Invalid database URL 'postgresql+psycopg2://netraven:***@db.example:notaport/netraven'")
    assert "\n" not in message and "Bad-Url-Pa55" not in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def case_wrong_key(estate):
    result = estate.sealed_result
    assert estate.sealed.returncode == 2
    assert result["status"] == "FAILED_UNEXPECTED"
    assert result["msg"].startswith("FAILED_UNEXPECTED: NETRAVEN_ENCRYPTION_KEY cannot decrypt"), result["msg"]
    assert [a["error_type"] for a in result["attempts"]] == ["CREDENTIAL"]  # the chain stops: no other credential tried
    output = estate.sealed.stdout + estate.sealed.stderr
    assert "Traceback" not in output
    assert OPS["password"] not in output and estate.foreign.ciphertexts["foreign"] not in output
    assert estate.lab.login_attempts(device="sealed") == []


def case_unknown_device_type(estate):
    result, connection = _one_result(estate, "odd-type")
    assert result["status"] == "FAILED_UNEXPECTED"
    message = result["details"]["error_message"]
    assert message == ("Unknown device_type 'cisco_foo': netmiko has no such platform "
                       "(correct the device with netraven.netraven.device)"), message
    assert connection["error_message"] == message
    assert estate.lab.login_attempts(device="odd-type") == []
    assert "Traceback" not in estate.backup.stdout + estate.backup.stderr


def case_no_tags(estate):
    inventory = _hostvars(estate)
    assert inventory["netraven_no_credentials"]["hosts"] == ["no-tags"]
    assert inventory["_meta"]["hostvars"]["no-tags"]["netraven_credentials"] == []
    result, connection = _one_result(estate, "no-tags")
    assert result["status"] == "NO_CREDENTIALS" and connection["successful"] is False
    assert "  - no-tags: NO_CREDENTIALS: No credential shares a tag with this device" in estate.backup.stdout


def case_empty_password(estate):
    proc = estate.blank
    assert proc.returncode == 2
    assert "Credential 'blank': the password must not be empty" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
    assert query(estate.url, sa.select(Credential.id).where(Credential.name == "blank")) == []


def case_equal_priorities(estate):
    zulu, alpha = estate.seeded.credentials["zulu-eq"], estate.seeded.credentials["alpha-eq"]
    assert zulu < alpha
    chain = _hostvars(estate)["_meta"]["hostvars"]["eq-dev"]["netraven_credentials"]
    assert [(c["id"], c["priority"]) for c in chain] == [(zulu, 50), (alpha, 50)]
    result, connection = _one_result(estate, "eq-dev")
    assert result["status"] == "SUCCESS" and connection["credential_id"] == alpha and connection["retry_count"] == 1
    assert [r.username for r in estate.lab.login_attempts(device="eq-dev")] == ["zulu", "alpha"]


def case_unicode_hostnames(estate):
    hostvars = _hostvars(estate)["_meta"]["hostvars"]
    page = estate.report.read_text(encoding="utf-8")
    for name in UNICODE_NAMES.values():
        assert name in hostvars
        result, connection = _one_result(estate, name)
        assert result["status"] == "SUCCESS" and connection["successful"] is True
        assert result["details"]["hostname"] == name
        assert name in page
        assert "\"  - %s: credential 'ops' (id %d)\"" % (name, estate.seeded.credentials["ops"]) in estate.backup.stdout


def case_ten_megabyte_configuration(estate):
    result, _connection = _one_result(estate, "big")
    assert result["status"] == "SUCCESS", result
    [config] = estate.records["big"]["configs"]
    stored = config["config_data"]
    assert len(stored.encode("utf-8")) > BIG_TARGET_BYTES
    assert "\n" + estate.big_body + "\n" in stored  # every byte intact, multi-byte characters included
    assert config["data_hash"] == hashlib.sha256(profile_for("cisco_ios").normalise(stored).encode("utf-8")).hexdigest()
    assert estate.backup_seconds < 120, estate.backup_seconds


def case_binary_garbage(estate):
    result, _connection = _one_result(estate, "garbage")
    assert result["status"] == "SUCCESS", result
    [config] = estate.records["garbage"]["configs"]
    stored = config["config_data"]
    assert not [ch for ch in stored if ord(ch) < 32 and ch not in "\n\t"]
    assert "description nulhere bell backspace vt ff" in stored
    assert "red" in stored and "emoji \U0001F600 repl \ufffd" in stored
    assert stored.rstrip().endswith("end")


def case_tags_sharing_a_group(estate):
    inventory = _hostvars(estate)
    assert sorted(inventory["tag_core_1"]["hosts"]) == sorted(UNICODE_NAMES.values())
    hostvars = inventory["_meta"]["hostvars"]
    assert hostvars[UNICODE_NAMES["uni-1"]]["netraven_tags"] == ["core-1", "lab"]
    assert hostvars[UNICODE_NAMES["uni-2"]]["netraven_tags"] == ["core.1", "lab"]


CASES = {name[len("case_"):]: func for name, func in list(globals().items()) if name.startswith("case_")}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(estate, case):
    CASES[case](estate)


def test_bad_input_run_counts_match_the_database(estate):
    """The run as a whole: every targeted device has one result, and the job says so."""
    stats = custom_stats(estate.backup.stdout)
    assert stats["netraven_job_id"] == estate.job_id
    [job] = query(estate.url, sa.select(Job.status).where(Job.id == estate.job_id))
    assert job["status"] == stats["netraven_job_status"] == "COMPLETED_PARTIAL_FAILURE"
    assert stats["netraven_job_counts"]["by_status"] == {"SUCCESS": 5, "FAILED_UNEXPECTED": 1, "NO_CREDENTIALS": 1}
