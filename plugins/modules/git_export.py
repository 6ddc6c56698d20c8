#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netraven.netraven.git_export module: argument spec and docs; the work is in module_utils._history._git_export."""

from __future__ import annotations

DOCUMENTATION = r"""
module: git_export
short_description: Commit the latest masked device configurations into a git repository
version_added: 0.1.0
description:
  - Writes the latest stored (masked) configuration of every device a job targeted into a git working
    tree, one C(<hostname>.cfg) file per device, and commits once when a file changed.
  - The commit message names the job, its status and its counts, with one line per changed device;
    the commit date is the job's completion time. Devices deleted from NetRaven are removed in the same commit.
  - With O(replay=true) it rebuilds a repository from the whole history, one commit per finished job in
    time order.
  - Uses the C(git) executable with the caller's environment, so git's own configuration and SSH agent
    authenticate a push; no credential passes through NetRaven. Every C(NETRAVEN_*) variable (the encryption keys,
    the database URL) is removed from the environment git and its hooks run with.
  - Nothing is written outside O(git_dir), whatever the database holds. A device whose hostname (or, with
    O(layout=tag), tag name) is not one safe file name (it holds C(/) or C(\), C(..), a control character, or
    starts with C(.) or C(-)) is skipped with a warning naming it. The tree is walked without following symbolic
    links, and each file is written as a new file renamed over the old name, so a link planted in the tree is
    replaced, never written through.
  - A directory that is not a repository, a dirty tree or a failed push does not fail the task; the
    result's RV(exported) and RV(msg) say what happened. A missing directory is created and initialised.
author:
  - NetRaven developers (@netraven)
options:
  git_dir:
    description: The git working tree to write into. Created and initialised when missing.
    type: path
    required: true
  job_id:
    description: The job to export. Required unless O(replay=true).
    type: int
  replay:
    description: Export every finished job in time order instead of one job.
    type: bool
    default: false
  layout:
    description:
      - V(flat) puts every file at the top of the tree.
      - V(tag) puts each file in a folder named after the device's tag of type O(tag_type)
        (C(_untagged) when it has none).
    type: str
    choices: [flat, tag]
    default: flat
  tag_type:
    description: The tag type whose tag names become folders with O(layout=tag), for example C(site).
    type: str
  remote:
    description:
      - A git remote name or URL to push the current branch to after committing.
      - Prefer a remote whose credentials come from git's credential helper or SSH agent. A password in
        the URL (C(https://user:pass@host/repo.git)), an access token given as the user of an
        C(https) URL, and the value of every query parameter whose name holds C(pass), C(token), C(secret) or
        C(key) (C(?private_token=...)) are masked in every message, in git's own error text and in the
        task's invocation, also when the URL does not parse.
      - The push never prompts for a credential; a missing one is a failed push.
    type: str
  author_name:
    description: The commit author (and committer) name.
    type: str
    default: NetRaven
  author_email:
    description: The commit author (and committer) email.
    type: str
    default: netraven@localhost
extends_documentation_fragment:
  - netraven.netraven.database
  - netraven.netraven.attributes
  - netraven.netraven.attributes.no_diff
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: partial
    details:
      - Checks the job exists and writes nothing.
notes:
  - O(git_dir) is a path on the host the module runs on.
  - The files hold the configurations exactly as stored, with secrets already masked. File modes follow the umask.
requirements:
  - git
seealso:
  - module: netraven.netraven.job
"""

EXAMPLES = r"""
- name: Export the job just finished and push it
  netraven.netraven.git_export:
    git_dir: /srv/netraven-configs
    job_id: "{{ netraven_job_finished.job_id }}"
    remote: origin

- name: Seed a repository from the whole history, folders by site
  netraven.netraven.git_export:
    git_dir: /srv/netraven-configs
    replay: true
    layout: tag
    tag_type: site
"""

RETURN = r"""
exported:
  description: V(committed), V(unchanged), V(failed) (nothing exported), V(push_failed) (committed, not pushed) or V(skipped) (check mode).
  returned: always
  type: str
  sample: committed
commits:
  description: One entry per commit made, with the job, the commit id and the changed and removed devices.
  returned: always
  type: list
  elements: dict
  sample: [{job_id: 7, commit: 3f1c..., changed_devices: [{hostname: r1, path: r1.cfg, config_id: 12, added: 2, removed: 0}], removed_devices: []}]
pushed:
  description: Whether the branch was pushed to O(remote).
  returned: always
  type: bool
git_dir:
  description: The absolute path of the working tree.
  returned: always
  type: str
msg:
  description: One line saying what the export did or why it stopped.
  returned: always
  type: str
"""

from typing import TYPE_CHECKING, Any, Dict, List

from ansible_collections.netraven.netraven.plugins.module_utils._history._git_export import export, remote_secrets
from ansible_collections.netraven.netraven.plugins.module_utils._manage._common import module_result
from ansible_collections.netraven.netraven.plugins.module_utils._module_base import NetRavenModule

if TYPE_CHECKING:
    from ansible_collections.netraven.netraven.plugins.module_utils._module_base import HandlerModule, Result

# The module and its action plugin (plugins/action/git_export.py, which runs handler in the controller's
# worker) share the spec, the rules and the handler.
ARGUMENT_SPEC = NetRavenModule.argspec(
    git_dir={"type": "path", "required": True},
    job_id={"type": "int"},
    replay={"type": "bool", "default": False},
    layout={"type": "str", "choices": ["flat", "tag"], "default": "flat"},
    tag_type={"type": "str"},
    remote={"type": "str"},
    author_name={"type": "str", "default": "NetRaven"},
    author_email={"type": "str", "default": "netraven@localhost"},
)
RULES: Dict[str, Any] = {"required_if": [("layout", "tag", ("tag_type",))]}


def secrets(params: Dict[str, Any]) -> List[str]:
    """A password or token in the remote URL: masked in the result (and a module's invocation) too."""
    return remote_secrets(params.get("remote"))


def handler(mod: HandlerModule) -> Result:
    """The module's work, given a NetRavenModule or the action's InProcessModule."""
    params = mod.params
    return module_result(mod, export(
        mod.engine, params["git_dir"], job_id=params["job_id"], replay=params["replay"], layout=params["layout"],
        tag_type=params["tag_type"], author=(params["author_name"], params["author_email"]),
        remote=params["remote"], check_mode=mod.check_mode))


def main() -> None:
    """Entry point."""
    module = NetRavenModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **RULES)
    module.no_log_values.update(secrets(module.params))
    module.run(handler)


if __name__ == "__main__":
    main()
