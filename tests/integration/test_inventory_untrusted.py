"""Strings from the database are data, never templates (docs/architecture.md: "The path of one device").

A tag name, a credential username, a device address and a device hostname hold
``{{ lookup('pipe', 'touch <file>') }}``: they must come out verbatim from ansible-inventory
(--list, --graph, --host), through constructed options, and in a playbook printing the
hostvars, and the files must never exist.

The test runs the ansible-inventory and ansible-playbook found on PATH, so it checks
whichever ansible-core is first there. Run it once per core, e.g. on the newest core:

    PATH=/tmp/v312/bin:$PATH /tmp/v312/bin/python -m pytest tests/integration/test_inventory_untrusted.py
"""

import json
import subprocess

import pytest

from _inventory_support import ansible_bin, ansible_inventory, inventory_list, plain, write_config  # pylint: disable=import-error
from _seed import seed  # pylint: disable=import-error
from ansible_collections.netraven.netraven.plugins.module_utils._inventory._hosts import tag_group_name

pytestmark = pytest.mark.slow

PLAYBOOK = """
- name: Print what the inventory gave
  hosts: all
  gather_facts: false
  tasks:
    - name: Every hostvar of the host
      ansible.builtin.debug:
        var: hostvars[inventory_hostname]
    - name: The values inside a trusted template
      ansible.builtin.debug:
        msg: "user={{ netraven_credentials[0].username }} tags={{ netraven_tags | join(',') }} first={{ first_user }}"
    - name: A hostvar used as a connection setting
      ansible.builtin.debug:
        msg: "address={{ ansible_host }} name={{ inventory_hostname }}"
"""


def _evil(tmp_path, what):
    """A template that would create tmp_path/<what>-rendered; returns (text, path)."""
    path = tmp_path / ("%s-rendered" % what)
    return "{{ lookup('pipe', 'touch %s') }}" % path, path


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the database backend plays no part here
def test_database_strings_are_never_templated(db_url, ansible_env, tmp_path):
    tag, tag_file = _evil(tmp_path, "tag")
    user, user_file = _evil(tmp_path, "user")
    address, address_file = _evil(tmp_path, "address")
    hostname, hostname_file = _evil(tmp_path, "hostname")
    files = [tag_file, user_file, address_file, hostname_file]
    seed(db_url, credentials=[{"name": "evil", "username": user, "password": "pw-Evil-1", "priority": 10, "tags": [tag, "cisco"]}],
         devices=[{"hostname": "victim", "ip_address": address, "tags": [tag, "cisco"]},
                  {"hostname": hostname, "ip_address": "192.0.2.9", "tags": ["cisco"]}])
    source = write_config(tmp_path, compose={"first_user": "netraven_credentials[0].username"},
                          keyed_groups=[{"key": "netraven_tags", "prefix": "kt"}])
    version = subprocess.run([ansible_bin("ansible"), "--version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]

    listing = inventory_list(ansible_env, source)[0]
    hostvars = plain(listing)["_meta"]["hostvars"]
    victim = hostvars["victim"]
    assert victim["netraven_tags"] == ["cisco", tag]
    assert victim["netraven_credentials"][0]["username"] == user
    assert victim["netraven_credentials"][0]["tags"] == ["cisco", tag]
    assert victim["ansible_host"] == address
    assert victim["first_user"] == user
    assert hostvars[hostname]["netraven_credentials"][0]["username"] == user
    assert listing[tag_group_name(tag)]["hosts"] == ["victim"]

    graph = ansible_inventory(ansible_env, source, "--graph").stdout
    assert hostname in graph
    host = json.loads(ansible_inventory(ansible_env, source, "--host", "victim").stdout)
    assert host["netraven_credentials"][0]["username"] == user
    assert host["ansible_host"] == address

    playbook = tmp_path / "print.yml"
    playbook.write_text(PLAYBOOK)
    proc = subprocess.run([ansible_bin("ansible-playbook"), "-i", source, str(playbook)], env=ansible_env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for text in (tag, user, address, hostname):
        assert text in proc.stdout, "%s missing from the playbook output (%s)" % (text, version)
    assert ("user=%s tags=cisco,%s first=%s" % (user, tag, user)) in proc.stdout
    assert ("address=%s name=victim" % address) in proc.stdout

    rendered = [str(path) for path in files if path.exists()]
    assert not rendered, "templates from the database were rendered on %s: %s" % (version, rendered)
