"""Helpers of the AWX tests: the credential type's injection, AWX-like environments and runs.

AWX gives an inventory update or a job nothing of the controller's environment: the
execution environment's own variables plus what the attached credentials inject. The
tests rebuild that from scratch (PATH, HOME, the collections path and the injected
variables, plus the two Ansible settings ansible-runner always sets), so that nothing set
for the test session (NETRAVEN_* in particular) can make a run pass that would fail in AWX.
"""

import json
import os
import re
import shutil
import subprocess
import sys

import yaml
from jinja2 import sandbox

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AWX_DOCS = os.path.join(REPO_ROOT, "docs", "awx")
PROJECT_DIR = os.path.join(AWX_DOCS, "project")
CREDENTIAL_TYPE = os.path.join(AWX_DOCS, "credential_type.yml")
INVENTORY_FILE = "inventories/nightly.netraven.yml"
BIN = os.path.dirname(sys.executable)

# AWX refuses env injectors whose name is not a plain identifier or starts with ANSIBLE_
# (they would steer Ansible), and a block list of names its job runner sets itself (JOB_ID,
# PATH, ...): the credential type only injects NETRAVEN_* names.
ENV_NAME = re.compile(r"^[a-zA-Z_]+[a-zA-Z0-9_]*$")


def load_credential_type(path=CREDENTIAL_TYPE):
    with open(path, encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def inject(credential_type, inputs):
    """(env, safe_env) as AWX's CredentialType.inject_credential builds them for env injectors.

    Each env template is rendered in an immutable Jinja sandbox with the credential's inputs
    (empty strings left out, as AWX does); the safe copy, the one AWX stores with the job,
    has '**********' for every secret field.
    """
    secret = {field["id"] for field in credential_type["inputs"]["fields"] if field.get("secret")}
    namespace, safe_namespace = {}, {}
    for name, value in inputs.items():
        if isinstance(value, bool):
            namespace[name] = safe_namespace[name] = value
            continue
        if name in secret:
            safe_namespace[name] = "**********"
        elif len(value):
            safe_namespace[name] = value
        if len(value):
            namespace[name] = value
    jinja = sandbox.ImmutableSandboxedEnvironment()
    env, safe_env = {}, {}
    for name, template in credential_type["injectors"].get("env", {}).items():
        if name.startswith("ANSIBLE_"):
            continue  # AWX logs and skips such a variable
        env[name] = jinja.from_string(template).render(**namespace)
        safe_env[name] = jinja.from_string(template).render(**safe_namespace)
    return env, safe_env


def scratch_env(workdir, injected):
    """An environment built from nothing: PATH, HOME, the collections path, the injected variables.

    Plus what ansible-runner (AWX's job runner) sets for every run: no retry files, and
    ANSIBLE_HOST_KEY_CHECKING=False unless the job sets it (the device lab's host keys are
    unknown, as a new device's are; docs/awx.md says how to turn checking on in AWX).
    """
    home = os.path.join(str(workdir), "home")
    os.makedirs(home, exist_ok=True)
    env = {
        "PATH": os.pathsep.join([BIN, "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": home,
        "ANSIBLE_COLLECTIONS_PATH": os.environ["NETRAVEN_TEST_COLLECTIONS_PATH"],
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_HOST_KEY_CHECKING": "False",
    }
    env.update(injected)
    return env


def checkout_project(workdir):
    """A copy of docs/awx/project, as AWX checks the project out for a job."""
    target = os.path.join(str(workdir), "project")
    shutil.copytree(PROJECT_DIR, target)
    return target


def tool(name):
    path = os.path.join(BIN, name)
    return path if os.path.exists(path) else name


def run(command, env, cwd=None, timeout=300):
    """Run a CLI; returns the CompletedProcess (text output; the caller checks the status)."""
    command = [tool(command[0])] + list(command[1:])
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def custom_stats(stdout):
    """The per-run data a playbook published with set_stats, from the default callback's
    CUSTOM STATS section (ANSIBLE_SHOW_CUSTOM_STATS=1): what AWX stores as the job's artifacts."""
    match = re.search(r"^\s*RUN: (\{.*\})\s*$", stdout, re.MULTILINE)
    assert match, "no CUSTOM STATS in the output:\n" + stdout[-3000:]
    return json.loads(match.group(1))


def awx_slices(hostnames, count):
    """AWX's job slicing: hosts ordered by name, slice k (1-based) gets hosts[k-1::count]."""
    ordered = sorted(hostnames)
    return [ordered[offset::count] for offset in range(count)]


def write_stored_inventory(path, listing):
    """An executable inventory that serves an `ansible-inventory --list` result, as AWX serves
    the hosts and variables it imported from the inventory source to every job."""
    with open(path, "w", encoding="utf-8") as stream:
        stream.write("#!%s\nimport sys\nsys.stdout.write(%r)\n" % (sys.executable, json.dumps(listing)))
    os.chmod(path, 0o755)
    return str(path)
