# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An OpenSSH client config's proxy and algorithm settings for one device, as OpenSSH reads them."""

from __future__ import annotations

import shlex

import pytest

pytest.importorskip("paramiko")

from ansible_collections.netraven.netraven.plugins.module_utils._backup._attempt_error import AttemptError  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._backup._ssh_config import (  # noqa: E402
    algorithm_list,
    settings_for,
)

CONFIG = """
Host par-*
    ProxyJump admin@bastion.par:2222,inner.par
    KexAlgorithms +diffie-hellman-group14-sha1
Host lyo-old
    ProxyCommand nc -X connect -x proxy.lyo:3128 %h %p
    Ciphers aes128-cbc,aes256-ctr
    HostKeyAlgorithms -ecdsa*
Host *
    User someone-else
    Port 2200
"""


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "ssh_config"
    path.write_text(CONFIG, encoding="utf-8")
    return str(path)


def test_proxy_jump_of_any_depth_runs_ssh_with_the_same_file_towards_the_databases_address(config):
    settings = settings_for(config, "par-core-1", "10.1.0.1", 22)
    assert shlex.split(settings.proxy_command) == ["ssh", "-F", config, "-o", "BatchMode=yes", "-W", "10.1.0.1:22",
                                                   "-J", "admin@bastion.par:2222", "inner.par"]
    assert "diffie-hellman-group14-sha1" in settings.allowed["kex"] and "curve25519-sha256@libssh.org" in settings.allowed["kex"]


def test_proxy_command_expands_to_the_databases_address_and_port_and_lists_narrow(config):
    settings = settings_for(config, "lyo-old", "10.2.0.9", 830)
    assert settings.proxy_command == "nc -X connect -x proxy.lyo:3128 10.2.0.9 830"
    assert settings.allowed["ciphers"] == ["aes128-cbc", "aes256-ctr"]
    assert settings.allowed["keys"] and not [name for name in settings.allowed["keys"] if name.startswith("ecdsa")]


def test_a_host_without_settings_gets_none(config):
    settings = settings_for(config, "ams-edge-1", "10.3.0.1", 22)
    assert (settings.proxy_command, settings.allowed, settings.proxy_socket()) == (None, None, None)


@pytest.mark.parametrize("value, expected", [
    ("a,b", ["a", "b"]),
    ("+c,a", ["a", "b", "c"]),
    ("-b", ["a"]),
    ("-*", []),
    ("^c", ["c", "a", "b"]),
])
def test_openssh_list_syntax(value, expected):
    assert algorithm_list(value, ["a", "b"]) == expected


def test_an_unreadable_file_is_one_line(tmp_path):
    with pytest.raises(AttemptError) as caught:
        settings_for(str(tmp_path / "missing"), "r1", "192.0.2.1", 22)
    assert "Cannot read ssh_config_file" in caught.value.message and "\n" not in caught.value.message
