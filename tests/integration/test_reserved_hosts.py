"""A device named localhost never takes over the playbook's controller tasks (docs/hardening.md).

Ansible's implicit localhost is where playbooks/backup.yml starts the job, finishes it and
exports to git (delegate_to: localhost). A database row named ``localhost``, written by another
tool (the device module refuses the name), with an address where nothing listens: through the
netraven inventory plugin the row is left out with a warning, and the job starts, backs up the
lab devices and finishes on the controller. Then host_vars beside the inventory that say localhost
is an SSH host at that address: the controller's tasks still run locally (their ansible_connection
variable beats the inventory's). Before, each run failed UNREACHABLE on localhost.
"""

import pytest
import sqlalchemy as sa

from _inventory_support import write_config  # pylint: disable=import-error
from _jobs_support import CREDENTIALS, closed_port, job_rows, lab_devices, recap, run_playbook, seed  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Device, Tag, device_tag_association

pytestmark = pytest.mark.slow


def add_localhost_row(db_url, port):
    """What another tool could write: a device named localhost, tagged core, on a closed loopback port."""
    engine = create_db_engine(db_url)
    try:
        with engine.begin() as connection:
            device_id = connection.execute(sa.insert(Device).values(
                hostname="localhost", ip_address="127.0.0.1", port=port, device_type="cisco_ios").returning(Device.id)).scalar_one()
            core = connection.execute(sa.select(Tag.id).where(Tag.name == "core")).scalar_one()
            connection.execute(sa.insert(device_tag_association).values(device_id=device_id, tag_id=core))
    finally:
        engine.dispose()


def assert_finished_on_the_controller(run, db_url):
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    assert "UNREACHABLE" not in output and "Failed to connect to the host via ssh" not in output
    jobs = job_rows(db_url)
    job = jobs[max(jobs)]
    assert job["status"] == "COMPLETED_SUCCESS", job
    assert sorted(job["results"]) == ["ok1", "ok2"]  # the row named localhost is not a target
    assert recap(run.stdout)["localhost"]["failed"] == 0
    return output


def test_a_row_named_localhost_is_left_out_and_the_job_runs_on_the_controller(ansible_env, db_url, device_lab, tmp_path):
    seed(db_url, ansible_env["NETRAVEN_ENCRYPTION_KEY"], lab_devices(device_lab), CREDENTIALS)
    add_localhost_row(db_url, closed_port())
    source = write_config(tmp_path, db_url=db_url)
    run = run_playbook(ansible_env, source)
    output = " ".join(assert_finished_on_the_controller(run, db_url).split())
    assert "device 'localhost' (id 3) is not in the inventory: its name is Ansible's implicit localhost" in output


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_host_vars_that_make_localhost_an_ssh_host_do_not_move_the_controller_tasks(
        ansible_env, db_url, device_lab, tmp_path):
    """host_vars/localhost.yml beside the inventory gives the implicit localhost an SSH connection and an address."""
    seed(db_url, ansible_env["NETRAVEN_ENCRYPTION_KEY"], lab_devices(device_lab), CREDENTIALS)
    inventories = tmp_path / "inventories"
    (inventories / "host_vars").mkdir(parents=True)
    (inventories / "host_vars" / "localhost.yml").write_text(
        "ansible_connection: ssh\nansible_host: 127.0.0.1\nansible_port: %d\n" % closed_port(), encoding="utf-8")
    write_config(inventories, db_url=db_url)
    run = run_playbook(ansible_env, inventories)
    assert_finished_on_the_controller(run, db_url)
