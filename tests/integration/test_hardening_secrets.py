"""Secrets audit (no secret leaves the database in clear): no plaintext password anywhere a run leaves a trace, no ciphertext outside the database.

A small estate (tags, 10 lab devices on three platforms, 3 credentials, some devices
accepting only the fallback credential) is described with the management modules and
backed up twice through playbooks/backup.yml at -vvvv, with the HTML report, netmiko
session logs and Ansible's own log file; the inventory is listed with the jsonfile
cache. The IOS and EOS devices even carry their login password in clear in their
configuration (no service password-encryption), so the stored configurations prove the
masking too. Then every output, every table, the cache, the report, the session logs
and every file under the run's HOME and temp directories are searched for each
password, the encryption passphrase (current and old), the database password, and the
key derivation's material: the install's salt (outside the database, its one home) and
every Fernet key derived from the passphrases, at both format versions, as text and hex.

The inputs (the vars file holding the passwords, a vault in real life) live in a
directory of their own that is not searched.
"""

import base64
import hashlib
import hmac
import json

import pytest
import sqlalchemy as sa
import yaml

from _ansible import ansible_env  # pylint: disable=import-error
from _backup_scenario import dump_all  # pylint: disable=import-error
from _hardening import BACKUP_PLAYBOOK, file_texts, files_under, hits, netraven_inventory, run  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential, DeviceConfiguration, InstallSecret

pytestmark = pytest.mark.slow

PASSPHRASE = "Audit-Key-Passphrase-9d1e"
# An older passphrase still configured (NETRAVEN_ENCRYPTION_OLD_KEYS), as during a rotation.
OLD_PASSPHRASES = "Audit-Old-Passphrase-3c7a\nAudit, Older Passphrase 5e"
PASSWORDS = {"site-a-admin": "Audit#SiteA!pw-4f1c", "site-b-admin": "Audit@SiteB!pw-8e2d",
             "fallback": "Audit%Fallback!pw-2b7a"}
USERNAMES = {"site-a-admin": "admin", "site-b-admin": "netops", "fallback": "backup"}
# (name, platform, tag, credential the device accepts)
DEVICES = [
    ("a-ios-1", "cisco_ios", "site-a", "site-a-admin"),
    ("a-eos-1", "arista_eos", "site-a", "site-a-admin"),
    ("a-junos-1", "juniper_junos", "site-a", "site-a-admin"),
    ("a-ios-2", "cisco_ios", "site-a", "fallback"),
    ("b-ios-1", "cisco_ios", "site-b", "site-b-admin"),
    ("b-eos-1", "arista_eos", "site-b", "site-b-admin"),
    ("b-junos-1", "juniper_junos", "site-b", "site-b-admin"),
    ("b-eos-2", "arista_eos", "site-b", "fallback"),
    ("core-ios-1", "cisco_ios", "core", "fallback"),
    ("core-junos-1", "juniper_junos", "core", "fallback"),
]
MANAGE_PLAYBOOK = """
- name: Describe the audited estate
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Tags
      netraven.netraven.tag:
        name: "{{ item }}"
        type: site
      loop: [site-a, site-b, core]

    - name: Credentials
      netraven.netraven.credential:
        name: "{{ item.name }}"
        username: "{{ item.username }}"
        password: "{{ audit_passwords[item.name] }}"
        priority: "{{ item.priority }}"
        tags: "{{ item.tags }}"
      loop: "{{ audit_credentials }}"
      loop_control:
        label: "{{ item.name }}"

    - name: Devices
      netraven.netraven.device:
        hostname: "{{ item.hostname }}"
        ip_address: "{{ item.ip_address }}"
        port: "{{ item.port }}"
        device_type: "{{ item.device_type }}"
        tags: "{{ item.tags }}"
      loop: "{{ audit_devices }}"
      loop_control:
        label: "{{ item.hostname }}"
"""


def _lab_specs():
    specs = []
    for name, platform, _tag, credential in DEVICES:
        spec = {"name": name, "platform": platform,
                "credentials": [{"username": USERNAMES[credential], "password": PASSWORDS[credential], "privilege": 15}]}
        if platform != "juniper_junos":
            spec["extra_config"] = ["username %s password 0 %s" % (USERNAMES[credential], PASSWORDS[credential])]
        specs.append(spec)
    return specs


def _derived_keys(passphrases, salt_hex):
    """Every key derived from the passphrases (both format versions, and the marker key), as key text and as hex."""
    keys = []
    for passphrase in passphrases:
        for salt, rounds in ((bytes.fromhex(salt_hex), 600000), (b"netraven_salt", 100000)):
            raw = hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), salt, rounds, 32)
            keys += [base64.urlsafe_b64encode(raw).decode("ascii"), base64.b64encode(raw).decode("ascii"), raw.hex()]
            if rounds == 600000:  # the marker key: an HMAC of the stretched version-2 key
                fernet_key = base64.urlsafe_b64encode(raw)
                keys.append(hmac.new(fernet_key, b"netraven-secret-marker", hashlib.sha256).hexdigest())
    return keys


def _variants(secret):
    """The secret as it would appear raw or JSON-escaped."""
    return {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=True)[1:-1]}


def test_no_secret_in_any_output_table_or_file(pg_db_url, device_lab_process, tmp_path):
    lab = device_lab_process(_lab_specs())
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    scratch = tmp_path / "run"
    (scratch / "tmp").mkdir(parents=True)
    vars_file = inputs / "estate_vars.yml"
    vars_file.write_text(yaml.safe_dump({
        "audit_passwords": PASSWORDS,
        "audit_credentials": [
            {"name": "site-a-admin", "username": "admin", "priority": 10, "tags": ["site-a"]},
            {"name": "site-b-admin", "username": "netops", "priority": 10, "tags": ["site-b"]},
            {"name": "fallback", "username": "backup", "priority": 50, "tags": ["site-a", "site-b", "core"]},
        ],
        "audit_devices": [{"hostname": name, "ip_address": lab.address(name), "port": lab.port(name),
                           "device_type": platform, "tags": [tag]} for name, platform, tag, _c in DEVICES],
    }), encoding="utf-8")
    manage_playbook = inputs / "estate.yml"
    manage_playbook.write_text(MANAGE_PLAYBOOK, encoding="utf-8")
    env = ansible_env(scratch, pg_db_url, PASSPHRASE, TMPDIR=scratch / "tmp", ANSIBLE_LOG_PATH=scratch / "ansible.log",
                      NETRAVEN_ENCRYPTION_OLD_KEYS=OLD_PASSPHRASES)

    outputs = []

    def step(label, *args, expect=0):
        proc = run(env, *args)
        assert proc.returncode == expect, (label, proc.stdout[-3000:], proc.stderr[-3000:])
        outputs.extend([(label + " stdout", proc.stdout), (label + " stderr", proc.stderr)])
        return proc

    step("manage", "ansible-playbook", "-vvvv", manage_playbook, "-e", "@%s" % vars_file)
    inventory = netraven_inventory(scratch / "audit.netraven.yml", cache=True, cache_plugin="ansible.builtin.jsonfile",
                                   cache_connection=str(scratch / "inventory-cache"), cache_timeout=3600)
    for number in (1, 2):
        backup = step("backup %d" % number, "ansible-playbook", "-vvvv", "-i", inventory, BACKUP_PLAYBOOK,
                      "-e", "netraven_report_path=%s" % (scratch / ("report-%d.html" % number)),
                      "-e", "netraven_session_log_dir=%s" % (scratch / "session-logs"))
        assert "Devices: 10 targeted, 10 succeeded, 0 failed, 0 pending" in backup.stdout
    listing = step("inventory", "ansible-inventory", "-vvvv", "-i", inventory, "--list")
    step("inventory from cache", "ansible-inventory", "-i", inventory, "--list")
    assert "a-ios-2" in listing.stdout

    # The search covers real material: verbose runs, 10 session logs, both reports, the cache, Ansible's log.
    names = [path.rsplit("/", 1)[-1] for path in files_under(scratch)]
    assert len([n for n in names if n.endswith(".log") and n != "ansible.log"]) == len(DEVICES)
    # Session logs are owner-only (the run's umask is the usual 022).
    log_dir = scratch / "session-logs"
    assert oct(log_dir.stat().st_mode & 0o777) == oct(0o700)
    assert {oct(path.stat().st_mode & 0o777) for path in log_dir.iterdir()} == {oct(0o600)}
    assert {"report-1.html", "report-2.html", "ansible.log"} <= set(names)
    assert list(files_under(scratch / "inventory-cache"))
    assert sum(len(text) for _label, text in outputs) > 100000

    engine = create_db_engine(pg_db_url)
    try:
        database = dump_all(engine)
        with engine.connect() as conn:
            ciphertexts = [row[0] for row in conn.execute(sa.select(Credential.password))]
            configs = [row[0] for row in conn.execute(sa.select(DeviceConfiguration.config_data))]
            install_salt = conn.execute(sa.select(InstallSecret.value).where(InstallSecret.name == "kdf_salt")).scalar_one()
    finally:
        engine.dispose()
    assert len(ciphertexts) == 3 and len(configs) == len(DEVICES)
    # The devices did show their passwords in clear: the stored copies hold masks instead.
    assert sum("password 0 <secret:" in text for text in configs) == 7

    secrets = [variant for secret in list(PASSWORDS.values()) + [PASSPHRASE] + OLD_PASSPHRASES.splitlines() for variant in _variants(secret)]
    db_password = sa.engine.make_url(pg_db_url).password
    if db_password:  # make test's throwaway server has one
        secrets += sorted(_variants(db_password))
    files = list(file_texts(scratch))
    assert hits(secrets, outputs + files + [("database", database)]) == []
    assert hits(ciphertexts, outputs + files) == []
    # The passwords were sealed at version 2, with this database's salt.
    assert all(token.startswith("v2:gAAAAA") for token in ciphertexts)
    derived = _derived_keys([PASSPHRASE] + OLD_PASSPHRASES.splitlines(), install_salt)
    assert hits(derived, outputs + files + [("database", database)]) == []
    assert hits([install_salt, install_salt.upper()], outputs + files) == []
