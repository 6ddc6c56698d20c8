"""The AWX credential type of docs/awx: its structure, and inventory + backup with only what it injects.

AWX renders the type's env injectors with the credential's inputs and gives the inventory
update and the job nothing else of NetRaven's: the test builds that environment from
scratch and runs the project's inventory source file (ansible-inventory, as the inventory
update does) and then the backup playbook against the stored result of that update, as a
job does. No password may reach the inventory, which AWX stores as host variables.
"""

import json
import os

import jinja2
import jinja2.meta
import pytest
import yaml

from _awx_support import (  # pylint: disable=import-error
    AWX_DOCS,
    ENV_NAME,
    INVENTORY_FILE,
    checkout_project,
    custom_stats,
    inject,
    load_credential_type,
    run,
    scratch_env,
    write_stored_inventory,
)
from _databases import TEST_KEY  # pylint: disable=import-error
from _inventory_support import plain  # pylint: disable=import-error
from _jobs_support import CREDENTIALS, job_rows, lab_devices, recap, seed  # pylint: disable=import-error

pytestmark = pytest.mark.awx


def test_credential_type_is_what_awx_accepts():
    credential_type = load_credential_type()
    assert credential_type["kind"] == "cloud", "inventory sources only take cloud credentials"
    assert set(credential_type) <= {"name", "description", "kind", "inputs", "injectors"}
    fields = {field["id"]: field for field in credential_type["inputs"]["fields"]}
    assert set(credential_type["inputs"]) == {"fields", "required"}
    assert credential_type["inputs"]["required"] == ["db_url", "encryption_key"]
    assert fields["db_url"]["secret"] is True and fields["encryption_key"]["secret"] is True
    assert fields["encryption_old_keys"]["secret"] is True and fields["encryption_old_keys"]["multiline"] is True
    for field in fields.values():
        assert field["type"] == "string" and field["label"]
    assert set(credential_type["injectors"]) == {"env"}
    env = credential_type["injectors"]["env"]
    assert env["NETRAVEN_DB_URL"] == "{{ db_url }}" and env["NETRAVEN_ENCRYPTION_KEY"] == "{{ encryption_key }}"
    for name, template in env.items():
        assert ENV_NAME.match(name) and name.startswith("NETRAVEN_") and not name.startswith("ANSIBLE_")
        referenced = jinja2.meta.find_undeclared_variables(jinja2.Environment().parse(template))
        assert referenced and referenced <= set(fields), "%s references an unknown field" % name


class _PlaybookLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    """YAML with Ansible's !unsafe tag (a plain string here)."""


_PlaybookLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def test_example_awx_playbook_creates_this_credential_type(tmp_path):
    """configure_awx.yml (awx.awx, not installed here) creates exactly docs/awx/credential_type.yml."""
    with open(os.path.join(AWX_DOCS, "configure_awx.yml"), encoding="utf-8") as stream:
        (play,) = yaml.load(stream, Loader=_PlaybookLoader)  # noqa: S506 - a SafeLoader subclass
    tasks = {next(key for key in task if key.startswith("awx.awx.")): task for task in play["tasks"]
             if any(key.startswith("awx.awx.") for key in task)}
    created = dict(tasks["awx.awx.credential_type"]["awx.awx.credential_type"])
    del created["state"]
    expected = load_credential_type()
    for field in expected["inputs"]["fields"]:
        field.pop("help_text", None)
    assert created == expected
    source = tasks["awx.awx.inventory_source"]["awx.awx.inventory_source"]
    assert source["source"] == "scm" and source["source_path"] == INVENTORY_FILE
    assert source["credential"] == tasks["awx.awx.credential"]["awx.awx.credential"]["name"]
    awx_collection = run(["ansible-galaxy", "collection", "list", "awx.awx"], dict(os.environ, HOME=str(tmp_path)))
    if awx_collection.returncode != 0 or "awx.awx" not in awx_collection.stdout:
        return  # awx.awx is not a dependency: the syntax check needs it
    check = run(["ansible-playbook", "--syntax-check", os.path.join(AWX_DOCS, "configure_awx.yml")], dict(os.environ))
    assert check.returncode == 0, check.stdout + check.stderr


def test_injected_environment_keeps_secrets_out_of_the_recorded_one():
    inputs = {"db_url": "postgresql+psycopg2://netraven:S3cret-db@db.example.com/netraven",
              "encryption_key": "current,passphrase-1", "encryption_old_keys": "old-passphrase-0\nold-passphrase-b"}
    env, safe_env = inject(load_credential_type(), inputs)
    assert env == {"NETRAVEN_DB_URL": inputs["db_url"], "NETRAVEN_ENCRYPTION_KEY": "current,passphrase-1",
                   "NETRAVEN_ENCRYPTION_OLD_KEYS": "old-passphrase-0\nold-passphrase-b",
                   "NETRAVEN_ENCRYPTION_SALT": ""}, "an empty salt means the default salt"
    assert safe_env == {"NETRAVEN_DB_URL": "**********", "NETRAVEN_ENCRYPTION_KEY": "**********",
                        "NETRAVEN_ENCRYPTION_OLD_KEYS": "**********", "NETRAVEN_ENCRYPTION_SALT": ""}
    env, _safe = inject(load_credential_type(), dict(inputs, encryption_salt="site-salt"))
    assert env["NETRAVEN_ENCRYPTION_SALT"] == "site-salt"


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_inventory_and_backup_with_only_the_injected_environment(db_url, device_lab, tmp_path):
    seed(db_url, TEST_KEY, lab_devices(device_lab), CREDENTIALS)
    injected, _safe = inject(load_credential_type(), {"db_url": db_url, "encryption_key": TEST_KEY})
    env = scratch_env(tmp_path, injected)
    assert not [name for name in env if name.startswith("NETRAVEN_") and name not in injected]
    project = checkout_project(tmp_path)

    # The inventory update: ansible-inventory on the project's inventory source file.
    update = run(["ansible-inventory", "-i", INVENTORY_FILE, "--list", "--export"], env, cwd=project)
    assert update.returncode == 0, update.stdout + update.stderr
    for password in [cred["password"] for cred in CREDENTIALS] + [TEST_KEY]:
        assert password not in update.stdout + update.stderr
    listing = json.loads(update.stdout)
    hostvars = plain(listing["_meta"]["hostvars"])
    assert sorted(hostvars) == ["ok1", "ok2"]
    chain = hostvars["ok1"]["netraven_credentials"]
    assert [cred["username"] for cred in chain] == ["retired", "netops", "admin"]
    assert all(set(cred) == {"id", "username", "priority", "tags"} for cred in chain), "ids, never secrets"
    assert "type_cisco_ios" in listing and "tag_core" in listing

    # The job: the backup playbook over the hosts the update stored, same environment.
    stored = write_stored_inventory(tmp_path / "hosts", listing)
    job = run(["ansible-playbook", "-i", stored, "backup.yml"], dict(env, ANSIBLE_SHOW_CUSTOM_STATS="1"), cwd=project)
    assert job.returncode == 0, job.stdout[-4000:] + job.stderr
    assert "[WARNING]" not in job.stdout + job.stderr, job.stdout + job.stderr
    assert {host: counts["failed"] for host, counts in recap(job.stdout).items()} == {"localhost": 0, "ok1": 0, "ok2": 0}
    for password in [cred["password"] for cred in CREDENTIALS] + [TEST_KEY]:
        assert password not in job.stdout + job.stderr
    ((job_id, record),) = list(job_rows(db_url).items())
    assert record["status"] == "COMPLETED_SUCCESS"
    assert {host: result["status"] for host, result in record["results"].items()} == {"ok1": "SUCCESS", "ok2": "SUCCESS"}
    artifacts = custom_stats(job.stdout)
    assert (artifacts["netraven_job_id"], artifacts["netraven_job_status"]) == (job_id, "COMPLETED_SUCCESS")
    assert not os.path.exists(os.path.join(env["HOME"], ".local", "share", "netraven")), "no embedded database used"
