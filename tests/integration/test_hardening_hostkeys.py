"""SSH host key checking (docs/hardening.md): unknown and changed keys are refused before any login.

With checking on, a device whose key is not in known_hosts_file (or whose key changed)
fails with FAILED_SSH after one attempt: the SSH handshake stops before authentication,
so the lab records no login at all and no further credential is tried. Once the key is
known the backup works; and without the task option, Ansible's own setting
(ANSIBLE_HOST_KEY_CHECKING) decides.
"""

import paramiko
import pytest

from _ansible import ansible_env, read_tree_results, with_tree_results  # pylint: disable=import-error
from _hardening import lab_device_rows, netraven_inventory, run  # pylint: disable=import-error
from _seed import seed  # pylint: disable=import-error

pytestmark = pytest.mark.slow

CREDENTIALS = [
    {"name": "wrong", "username": "wrong", "password": "Wrong-Hostkey-1", "priority": 10, "tags": ["lab"]},
    {"name": "right", "username": "right", "password": "Right-Hostkey-2", "priority": 20, "tags": ["lab"]},
]
SPECS = [{"name": name, "platform": "cisco_ios",
          "credentials": [{"username": "right", "password": "Right-Hostkey-2", "privilege": 15}]}
         for name in ("hk-unknown", "hk-changed")]
PLAYBOOK = """
- name: Back up with host key checking
  hosts: all
  gather_facts: false
  tasks:
    - name: Back up
      netraven.netraven.backup:
        connect_timeout: 10
        command_timeout: 20
        host_key_checking: "{{ hkc | default(omit) }}"
        known_hosts_file: "{{ khf | default(omit) }}"
"""


def _known_as(lab, name):
    port = lab.port(name)
    return lab.address(name) if port == 22 else "[%s]:%d" % (lab.address(name), port)


def _server_key(lab, name):
    """The device's host key, as ssh-keyscan would fetch it."""
    transport = paramiko.Transport((lab.address(name), lab.port(name)))
    try:
        transport.start_client(timeout=10)
        return transport.get_remote_server_key()
    finally:
        transport.close()


def _backup(env, tmp_path, label, inventory, playbook, *extra):
    tree = tmp_path / ("tree-" + label)
    proc = run(with_tree_results(env, tree), "ansible-playbook", "-i", inventory, playbook, *extra)
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc, read_tree_results(tree)


def _refused(result):
    return (result["status"], [a["credential_username"] for a in result["attempts"]], result["attempts"][0]["error_type"])


def test_host_key_checking_refuses_unknown_and_changed_keys_before_any_login(pg_db_url, encryption_key, device_lab,
                                                                             tmp_path):
    lab = device_lab(SPECS)
    seed(pg_db_url, credentials=CREDENTIALS, devices=lab_device_rows(lab, SPECS, ["lab"]), key=encryption_key)
    inventory = netraven_inventory(tmp_path / "hk.netraven.yml")
    playbook = tmp_path / "hostkeys.yml"
    playbook.write_text(PLAYBOOK, encoding="utf-8")
    env = ansible_env(tmp_path, pg_db_url, encryption_key)  # ANSIBLE_HOST_KEY_CHECKING=0: only the option decides
    known_hosts = tmp_path / "known_hosts"
    keys = paramiko.HostKeys()
    # hk-changed is known under another key (as after a device was replaced, or an attack).
    keys.add(_known_as(lab, "hk-changed"), "ssh-ed25519", paramiko.Ed25519Key.from_private_key_file(
        _write_ed25519(tmp_path / "other-key")))
    keys.save(str(known_hosts))
    options = ("-e", "hkc=true", "-e", "khf=%s" % known_hosts)

    proc, results = _backup(env, tmp_path, "unknown", inventory, playbook, *options)
    assert proc.returncode == 2, proc.stdout
    for name in ("hk-unknown", "hk-changed"):
        assert _refused(results[name]) == ("FAILED_SSH", ["wrong"], "SSH"), results[name]
        assert "host key" in results[name]["msg"].lower(), results[name]["msg"]
    assert lab.login_attempts() == []  # refused in the handshake: no credential reached the devices

    # The real key added: the device backs up (its wrong first credential rejected as usual).
    keys.add(_known_as(lab, "hk-unknown"), "ssh-ed25519", _server_key(lab, "hk-unknown"))
    keys.save(str(known_hosts))
    proc, results = _backup(env, tmp_path, "known", inventory, playbook, *options)
    assert results["hk-unknown"]["status"] == "SUCCESS", results["hk-unknown"]
    assert [a["credential_username"] for a in results["hk-unknown"]["attempts"]] == ["wrong", "right"]
    assert _refused(results["hk-changed"]) == ("FAILED_SSH", ["wrong"], "SSH")
    assert "does not match" in results["hk-changed"]["msg"], results["hk-changed"]["msg"]
    assert {r.device for r in lab.login_attempts()} == {"hk-unknown"}

    # No task option: Ansible's host_key_checking applies (the scratch HOME's known_hosts is empty).
    lab.clear_login_attempts()
    proc, results = _backup(dict(env, ANSIBLE_HOST_KEY_CHECKING="True"), tmp_path, "ansible-setting", inventory, playbook)
    assert proc.returncode == 2, proc.stdout
    # hk-unknown's chain now starts with the credential that worked last time.
    assert _refused(results["hk-unknown"]) == ("FAILED_SSH", ["right"], "SSH")
    assert _refused(results["hk-changed"]) == ("FAILED_SSH", ["wrong"], "SSH")
    assert lab.login_attempts() == []


def _write_ed25519(path):
    """A fresh Ed25519 private key file (paramiko cannot generate Ed25519 keys itself)."""
    from cryptography.hazmat.primitives import serialization  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric import ed25519  # pylint: disable=import-outside-toplevel

    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption())
    path.write_bytes(pem)
    return str(path)
