"""The inventory plugin through the real ansible-inventory, on SQLite and PostgreSQL (docs/architecture.md: "Where each rule lives", "The path of one device").

The golden test compares the whole ``--list`` JSON with tests/integration/expected/: the
database is fresh for each test, so ids are stable on both backends. Strings from the
database appear as {"__ansible_unsafe": ...} in that JSON: ansible-core's mark for values
that are never templated.
"""

import pytest

from _inventory_support import ansible_inventory, inventory_list, load_expected, plain, write_config  # pylint: disable=import-error
from _seed import seed, seed_tag_guide  # pylint: disable=import-error

NO_CHAIN_WARNING = "2 of 5 devices have no credential chain"


def test_tag_guide_golden(db_url, ansible_env, tmp_path):
    seed_tag_guide(db_url)
    listing, stderr = inventory_list(ansible_env, write_config(tmp_path))
    assert listing == load_expected("inventory_tag_guide.json")
    assert "WARNING" not in stderr
    chains = {host: [c["username"] for c in hostvars["netraven_credentials"]]
              for host, hostvars in plain(listing)["_meta"]["hostvars"].items()}
    assert chains == {
        "core-switch-a": ["cisco_admin", "backup_admin"],
        "access-switch-b": ["cisco_admin", "backup_admin"],
        "router-c": ["juniper_admin", "backup_admin"],
    }


def test_no_credentials_group_warning_and_last_credential_first(db_url, ansible_env, tmp_path):
    seeded = seed_tag_guide(db_url, devices=[
        {"hostname": "lab-1", "ip_address": "198.51.100.1", "tags": ["lab"]},
        {"hostname": "bare", "ip_address": "198.51.100.2"},
    ])
    seed(db_url, tags=["spare"])  # a tag nobody carries adds no group
    # core-switch-a last logged in with backup_admin.
    import sqlalchemy as sa  # pylint: disable=import-outside-toplevel
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE devices SET last_credential_id = %d WHERE hostname = 'core-switch-a'"
                             % seeded.credentials["backup_admin"])
    engine.dispose()

    listing, stderr = inventory_list(ansible_env, write_config(tmp_path))
    listing = plain(listing)
    assert sorted(listing["netraven_no_credentials"]["hosts"]) == ["bare", "lab-1"]
    assert listing["tag_lab"]["hosts"] == ["lab-1"]
    assert "tag_spare" not in listing
    assert listing["_meta"]["hostvars"]["bare"]["netraven_credentials"] == []
    assert NO_CHAIN_WARNING in " ".join(stderr.split())
    assert "netraven_no_credentials" in stderr
    core = listing["_meta"]["hostvars"]["core-switch-a"]["netraven_credentials"]
    assert [c["username"] for c in core] == ["backup_admin", "cisco_admin"]
    router = listing["_meta"]["hostvars"]["router-c"]["netraven_credentials"]
    assert [c["username"] for c in router] == ["juniper_admin", "backup_admin"]


def test_job_targets_and_constructed_options(db_url, ansible_env, tmp_path):
    seeded = seed_tag_guide(db_url, jobs=[{"name": "dc-a nightly", "tags": ["datacenter_a"]}])
    source = write_config(
        tmp_path, job_id=seeded.jobs["dc-a nightly"],
        compose={"netraven_first_username": "netraven_credentials[0].username"},
        groups={"juniper_devices": "netraven_device_type == 'juniper_junos'"},
        keyed_groups=[{"key": "netraven_device_type", "prefix": "type"}],
    )
    listing = plain(inventory_list(ansible_env, source)[0])
    assert sorted(listing["_meta"]["hostvars"]) == ["core-switch-a", "router-c"]
    assert listing["_meta"]["hostvars"]["router-c"]["netraven_first_username"] == "juniper_admin"
    assert listing["juniper_devices"]["hosts"] == ["router-c"]
    assert listing["type_cisco_ios"]["hosts"] == ["core-switch-a"]


@pytest.mark.parametrize("options, message", [
    ({"job_id": 4242}, "Job 4242 does not exist in the NetRaven database"),
    ({"tags": ["cisco", "no-such-tag"]}, "Unknown tag: no-such-tag"),
])
def test_unknown_job_or_tag_fails_in_one_line(db_url, ansible_env, tmp_path, options, message):
    seed_tag_guide(db_url)
    env = dict(ansible_env, ANSIBLE_INVENTORY_ENABLED="netraven.netraven.netraven", ANSIBLE_INVENTORY_UNPARSED_FAILED="1")
    proc = ansible_inventory(env, write_config(tmp_path, **options), "--list", expect_rc=1)
    assert "netraven.netraven.netraven: %s\n" % message in proc.stderr
    assert "Traceback" not in proc.stderr


def _with_password(url, password="Sch3maPw0rd"):
    """The URL with a password (kept when it has one; a trust-auth server ignores an added one)."""
    import sqlalchemy as sa  # pylint: disable=import-outside-toplevel
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return url, None
    if not parsed.password:
        parsed = parsed.set(password=password)
    return parsed.render_as_string(hide_password=False), parsed.password


def test_unmigrated_database_fails_in_one_line_with_password_masked(empty_db_url, ansible_env, tmp_path):
    url, password = _with_password(empty_db_url)
    env = dict(ansible_env, NETRAVEN_DB_URL=url, ANSIBLE_INVENTORY_ENABLED="netraven.netraven.netraven",
               ANSIBLE_INVENTORY_UNPARSED_FAILED="1")
    proc = ansible_inventory(env, write_config(tmp_path), "--list", expect_rc=1)
    lines = [line for line in proc.stderr.splitlines() if "has no NetRaven schema" in line]
    hint = "run 'ansible-playbook netraven.netraven.migrate' (or 'alembic -c migrations/alembic.ini upgrade head')"
    assert lines and lines[0].rstrip().endswith(hint)
    assert "Traceback" not in proc.stderr
    if password:
        assert password not in proc.stderr + proc.stdout
        assert ":***@" in lines[0]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the fixtures' database is not used
def test_unreachable_database_fails_in_one_line_with_password_masked(ansible_env, tmp_path):
    env = dict(ansible_env, NETRAVEN_DB_URL="postgresql+psycopg2://netraven:Unr3achablePw@127.0.0.1:1/netraven",
               ANSIBLE_INVENTORY_ENABLED="netraven.netraven.netraven", ANSIBLE_INVENTORY_UNPARSED_FAILED="1")
    proc = ansible_inventory(env, write_config(tmp_path), "--list", expect_rc=1)
    assert ("netraven.netraven.netraven: Database postgresql+psycopg2://netraven:***@127.0.0.1:1/netraven is unavailable: "
            "connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n") in proc.stderr
    assert "Unr3achablePw" not in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr
