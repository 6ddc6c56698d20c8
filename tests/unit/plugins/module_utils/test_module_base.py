# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument spec every module builds with NetRavenModule.argspec: shared groups first, then its own."""

from __future__ import annotations

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._module_base import NetRavenModule, argspec
from ansible_collections.netraven.netraven.plugins.modules import backup, migrate


def test_the_groups_asked_for_then_the_modules_own_options():
    spec = NetRavenModule.argspec(encryption=True, tagging=True, name={"type": "str"})
    assert list(spec) == ["db_url", "encryption_key", "tags", "purge_tags", "create_tags", "name"]
    assert spec["db_url"]["no_log"] is True and spec["encryption_key"]["no_log"] is True
    assert list(argspec(name={"type": "str"})) == ["db_url", "name"]


def test_each_call_is_a_new_spec():
    first = argspec(tagging=True)
    first["extra"] = {"type": "str"}
    assert "extra" not in argspec(tagging=True)


@pytest.mark.parametrize("groups, option", [({}, "db_url"), ({"encryption": True}, "encryption_key"), ({"tagging": True}, "tags")])
def test_an_option_may_not_redefine_a_shared_one(groups, option):
    with pytest.raises(ValueError, match=option):
        argspec(**groups, **{option: {"type": "str"}})


def test_the_action_plugins_build_their_spec_the_same_way():
    assert list(backup.ARGUMENT_SPEC)[:2] == ["db_url", "encryption_key"] and "tags" not in backup.ARGUMENT_SPEC
    assert migrate.ARGUMENT_SPEC == {"db_url": {"type": "str", "required": False, "no_log": True},
                                     "revision": {"type": "str", "default": "head"}}
