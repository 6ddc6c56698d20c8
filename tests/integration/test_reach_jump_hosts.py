"""Jump hosts: devices reachable only through one and through two real OpenSSH bastions (_bastion).

Two sshd bastions run on loopback, started by the test: bastion1 (password login) and
bastion2 (key login), which only bastion1's user can reach. Firewall rules make each lab
device reachable only from the user of the bastion it sits behind, and the test first
proves that a direct connection is refused. The estate is described with the modules
(playbooks/reach/estate.yml) and backed up once per backend through playbooks/backup.yml at
-vvvv, with host key checking on: the bastions' keys and the devices' keys come from a
known_hosts file, except the one a test leaves unknown.
"""

import os

import pytest
import sqlalchemy as sa
import yaml

from devicelab import Lab  # pylint: disable=import-error

from _ansible import ansible_env  # pylint: disable=import-error
import _backup_scenario as scenario  # pylint: disable=import-error
import _bastion  # pylint: disable=import-error
import _reach_estate as estate  # pylint: disable=import-error
from _databases import TEST_KEY, pg_admin_url, require_pg  # pylint: disable=import-error
from _hardening import BACKUP_PLAYBOOK, file_texts, hits, netraven_inventory, run  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Device, JobCredentialAttempt

HERE = os.path.dirname(os.path.abspath(__file__))
ESTATE_PLAYBOOK = os.path.join(HERE, "playbooks", "reach", "estate.yml")
PASSWORDS = {"ops": "Jump-Ops!pw-1d4e", "bastion1-login": "Jump-Bastion1!pw-7a2c", "wrong-bastion-login": "Jump-Wrong!pw-0f9b"}
OPS = [{"username": "ops", "password": PASSWORDS["ops"], "privilege": 15}]
# device -> (behind which bastion's user, jump host in the database, tags, expected status, words of the reason)
DEVICES = {
    "one-hop": ("bastion1", "bastion1", ["lab"], "SUCCESS", ""),
    "two-hops": ("bastion2", "bastion2", ["lab"], "SUCCESS", ""),
    "by-group-vars": ("bastion1", None, ["lab", "remote-site"], "SUCCESS", ""),
    "no-way": ("bastion1", None, ["lab"], "FAILED_UNREACHABLE", "TCP connection to the device failed"),
    "refused-bastion": ("bastion1", "wrong-login-bastion", ["lab"], "FAILED_SSH",
                        "jump host 'wrong-login-bastion' (%s) refused its own login"),
    "unknown-key": ("bastion1", "stranger-bastion", ["lab"], "FAILED_SSH", "jump host 'stranger-bastion' (%s): SSH host key"),
}

pytestmark = [pytest.mark.skipif(_bastion.unavailable() is not None, reason=str(_bastion.unavailable())),
              pytest.mark.lab, pytest.mark.postgres, pytest.mark.slow]


class Run:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    def result(self, name):
        [result] = scenario.job_results(self.engine, self.job_id, self.devices[name])
        return result


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """The bastions, the lab and the firewall rules, shared by both backends' runs."""
    workdir = tmp_path_factory.mktemp("bastions")
    bastions = _bastion.Bastions(workdir)
    lab = Lab([{"name": name, "platform": "cisco_ios", "credentials": OPS} for name in DEVICES]).start()
    try:
        private, public = estate.client_key()
        uids = {"bastion1": bastions.add_user("nrjump1", password=PASSWORDS["bastion1-login"]),
                "bastion2": bastions.add_user("nrjump2", public_key=public)}
        b1_address, b1_port, (stranger_address,) = bastions.start("bastion1", extra_addresses=1)
        b2_address, b2_port, _none = bastions.start("bastion2")
        bastions.forget_host_key(stranger_address, b1_port)
        bastions.only_from(b2_address, b2_port, uids["bastion1"])  # bastion2 is behind bastion1
        for name, (behind, *_rest) in DEVICES.items():
            bastions.only_from(lab.address(name), lab.port(name), uids[behind])
        lab_key = " ".join(lab.server.host_key.export_public_key().decode().split()[:2])
        known_hosts = bastions.known_hosts(workdir / "known_hosts", [
            "[%s]:%d %s" % (lab.address(name), lab.port(name), lab_key) for name in DEVICES])
        jump_hosts = [
            {"name": "bastion1", "host": b1_address, "port": b1_port, "credential": "bastion1-login"},
            {"name": "bastion2", "host": b2_address, "port": b2_port, "credential": "bastion2-login", "via": "bastion1"},
            {"name": "wrong-login-bastion", "host": b1_address, "port": b1_port, "credential": "wrong-bastion-login"},
            {"name": "stranger-bastion", "host": stranger_address, "port": b1_port, "credential": "bastion1-login"},
        ]
        estate_vars = {
            "reach_secrets": {"ops": {"password": PASSWORDS["ops"]},
                              "bastion1-login": {"password": PASSWORDS["bastion1-login"]},
                              "wrong-bastion-login": {"password": PASSWORDS["wrong-bastion-login"]},
                              "bastion2-login": {"private_key": private, "private_key_passphrase": estate.KEY_PASSPHRASE}},
            "reach_credentials": [{"name": "ops", "username": "ops", "priority": 10, "tags": ["lab"]}] + [
                {"name": name, "username": user, "priority": 100, "tags": ["bastions"]} for name, user in (
                    ("bastion1-login", "nrjump1"), ("wrong-bastion-login", "nrjump1"), ("bastion2-login", "nrjump2"))],
            "reach_jump_hosts": jump_hosts,
            "reach_devices": [dict({"hostname": name, "ip_address": lab.address(name), "port": lab.port(name),
                                    "device_type": "cisco_ios", "tags": tags}, **({"jump_host": jump} if jump else {}))
                              for name, (_behind, jump, tags, _s, _w) in DEVICES.items()],
        }
        yield {"bastions": bastions, "lab": lab, "known_hosts": known_hosts, "vars": estate_vars, "workdir": workdir,
               "addresses": {"bastion1": (b1_address, b1_port), "bastion2": (b2_address, b2_port),
                             "stranger-bastion": (stranger_address, b1_port)}}
    finally:
        lab.stop()
        bastions.stop()


def _describe_and_back_up(setup, backend, url):
    workdir = setup["workdir"] / backend
    (workdir / "inventory" / "group_vars").mkdir(parents=True)
    (workdir / "tmp").mkdir()
    vars_file = setup["workdir"] / ("estate_vars_%s.yml" % backend)  # the inputs (a vault in real life): not searched
    vars_file.write_text(yaml.safe_dump(setup["vars"]), encoding="utf-8")
    env = ansible_env(workdir, url, TEST_KEY, TMPDIR=workdir / "tmp", ANSIBLE_LOG_PATH=workdir / "ansible.log")
    outputs = []

    def step(label, *args):
        proc = run(env, *args)
        outputs.extend([(label + " stdout", proc.stdout), (label + " stderr", proc.stderr)])
        return proc

    manage = step("estate", "ansible-playbook", "-vvvv", ESTATE_PLAYBOOK, "-e", "@%s" % vars_file)
    assert manage.returncode == 0, manage.stdout[-3000:] + manage.stderr[-3000:]
    inventory = netraven_inventory(workdir / "inventory" / "jump.netraven.yml")
    # The remote site's devices go through bastion1, from group_vars: the database says direct.
    (workdir / "inventory" / "group_vars" / "tag_remote_site.yml").write_text("netraven_jump_host: bastion1\n", encoding="utf-8")
    setup["lab"].clear_login_attempts()
    backup = step("backup", "ansible-playbook", "-vvvv", "-i", inventory, BACKUP_PLAYBOOK, "-f", "10",
                  "-e", "netraven_connect_timeout=5", "-e", "netraven_command_timeout=10",
                  "-e", "netraven_host_key_checking=true", "-e", "netraven_known_hosts_file=%s" % setup["known_hosts"],
                  "-e", "netraven_report_path=%s" % (workdir / "report.html"),
                  "-e", "netraven_session_log_dir=%s" % (workdir / "session-logs"))
    engine = create_db_engine(url)
    with engine.connect() as conn:
        devices = dict(conn.execute(sa.select(Device.hostname, Device.id)).all())
        job_id = conn.execute(sa.text("SELECT max(id) FROM jobs")).scalar_one()
    return Run(engine=engine, backup=backup, outputs=outputs, workdir=workdir, devices=devices, job_id=job_id,
               logins=setup["lab"].login_attempts())


@pytest.fixture(scope="module")
def runs(setup, database_factories):
    """One backup per backend, one after the other (they share the lab's login record)."""
    done = {}
    for backend in ["sqlite"] + (["postgresql"] if pg_admin_url() else []):
        done[backend] = _describe_and_back_up(setup, backend, database_factories[backend].new_url())
    yield done
    for result in done.values():
        result.engine.dispose()


@pytest.fixture(params=("sqlite", "postgresql"))
def jump(request, runs):
    if request.param == "postgresql":
        require_pg()
    return runs[request.param]


def test_the_devices_and_bastion2_are_not_reachable_directly(setup):
    lab = setup["lab"]
    for name in DEVICES:
        assert _bastion.connect_refused(lab.address(name), lab.port(name)), name
    assert _bastion.connect_refused(*setup["addresses"]["bastion2"])
    assert not _bastion.connect_refused(*setup["addresses"]["bastion1"])


def test_each_device_ends_with_the_status_its_way_means(jump, setup):
    assert jump.backup.returncode == 2, jump.backup.stdout[-3000:]
    addresses = setup["addresses"]
    for name, (_behind, _jump, _tags, status, words) in DEVICES.items():
        result = jump.result(name)
        assert result["status"] == status, (name, result["details"]["error_message"])
        if "%s" in words:
            where = addresses["bastion1" if name == "refused-bastion" else "stranger-bastion"]
            words = words % ("%s:%d" % where)
        assert words in (result["details"]["error_message"] or ""), (name, result["details"])


def test_one_and_two_hops_log_in_to_each_bastion_with_its_own_credential(jump, setup):
    logins = [(r.device, r.username, r.accepted) for r in jump.logins]
    for name in ("one-hop", "two-hops", "by-group-vars"):
        assert (name, "ops", True) in logins
    log = open(os.path.join(str(setup["workdir"]), "bastion1_sshd.log"), encoding="utf-8").read()
    assert "Accepted password for nrjump1" in log and "Failed password for nrjump1" in log
    log2 = open(os.path.join(str(setup["workdir"]), "bastion2_sshd.log"), encoding="utf-8").read()
    assert "Accepted publickey for nrjump2" in log2


def test_a_bastion_that_fails_tries_no_device_credential(jump):
    for name in ("refused-bastion", "unknown-key"):
        assert [r for r in jump.logins if r.device == name] == [], name
        assert jump.result(name)["details"]["attempts"] == 0
        assert scenario.attempt_logs(jump.engine, jump.job_id, jump.devices[name]) == []
    with jump.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(JobCredentialAttempt)).scalar_one() == 0
    ops = scenario.credentials(jump.engine)["ops"]
    # One failure: "no-way", whose device refuses the TCP connection, is not a login; metrics count logins only.
    assert (ops["success_count"], ops["failure_count"]) == (3, 0), ops


def test_no_jump_host_secret_anywhere(jump):
    database = scenario.dump_all(jump.engine)
    files = list(file_texts(jump.workdir))
    secrets = list(PASSWORDS.values()) + [estate.KEY_PASSPHRASE] + [line for line in estate.key_lines() if len(line) > 20]
    assert hits(secrets, jump.outputs + files + [("database", database)]) == []
