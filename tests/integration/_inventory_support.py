"""Helpers for the inventory plugin's integration tests: config files, ansible-inventory runs."""

import json
import os
import shutil
import subprocess

import yaml

EXPECTED_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected")


def write_config(directory, name="inventory.netraven.yml", **options):
    """A plugin configuration file with the given options; returns its path."""
    path = os.path.join(str(directory), name)
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(dict({"plugin": "netraven.netraven.netraven"}, **options), handle, sort_keys=False)
    return path


def ansible_bin(name):
    """The Ansible CLI on PATH (whichever ansible-core the caller put first)."""
    path = shutil.which(name)
    assert path, "%s is not on PATH" % name
    return path


def ansible_inventory(env, source, *args, expect_rc=0):
    """Run ansible-inventory -i source ...; asserts the exit status, returns the CompletedProcess."""
    proc = subprocess.run([ansible_bin("ansible-inventory"), "-i", source, *args], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == expect_rc, "rc=%s\nstdout:\n%s\nstderr:\n%s" % (proc.returncode, proc.stdout[-3000:], proc.stderr)
    return proc


def inventory_list(env, source, *args):
    """(parsed --list JSON, stderr)."""
    proc = ansible_inventory(env, source, "--list", *args)
    return json.loads(proc.stdout), proc.stderr


def plain(value):
    """--list JSON with ansible-core's {"__ansible_unsafe": text} markers replaced by the text."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def load_expected(name):
    with open(os.path.join(EXPECTED_DIR, name), encoding="utf-8") as handle:
        return json.load(handle)
