"""Running Ansible CLIs in tests: an isolated environment and result capture.

Every run gets its own HOME and local temp (parallel runs never share state), and
the collection resolves from the checkout through NETRAVEN_TEST_COLLECTIONS_PATH.
"""

import glob
import json
import os
import shutil
import subprocess


def ansible_env(workdir, db_url, key, **extra):
    """Environment for ansible-playbook / ansible-inventory against db_url with key."""
    home = os.path.join(str(workdir), "home")
    os.makedirs(home, exist_ok=True)
    env = dict(os.environ)
    env.update({
        "HOME": home,
        "NETRAVEN_DB_URL": db_url,
        "NETRAVEN_ENCRYPTION_KEY": key,
        "ANSIBLE_COLLECTIONS_PATH": os.environ["NETRAVEN_TEST_COLLECTIONS_PATH"],
        "ANSIBLE_LOCAL_TEMP": os.path.join(str(workdir), "ansible-tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_HOST_KEY_CHECKING": "0",
        "ANSIBLE_PYTHON_INTERPRETER": "auto_silent",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


def with_tree_results(env, tree_dir):
    """env plus the tree callback: every host's last task result lands in tree_dir/<host>."""
    env = dict(env)
    env["ANSIBLE_CALLBACKS_ENABLED"] = "ansible.builtin.tree"
    env["ANSIBLE_CALLBACK_TREE_DIR"] = str(tree_dir)
    shutil.rmtree(str(tree_dir), ignore_errors=True)
    return env


def read_tree_results(tree_dir):
    """{host: result dict} written by the tree callback."""
    results = {}
    for path in glob.glob(os.path.join(str(tree_dir), "*")):
        with open(path, encoding="utf-8") as handle:
            results[os.path.basename(path)] = json.load(handle)
    return results


def ansible_playbook(env, playbook, inventory, *args, timeout=600):
    """Run ansible-playbook; returns the CompletedProcess (the caller checks the exit status)."""
    command = [shutil.which("ansible-playbook", path=env.get("PATH")), "-i", str(inventory), str(playbook), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
