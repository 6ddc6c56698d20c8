# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netraven.netraven.credential through AnsibleModule: no_log, required options, keys."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("cryptography")

from ansible_collections.netraven.netraven.plugins.modules import credential  # noqa: E402

PASSWORD = "Module-Unit-Pa55word"


def test_create_rotate_and_no_secret_in_results(run_module, sqlite_db_url, unit_key):
    args = {"db_url": sqlite_db_url, "username": "admin", "password": PASSWORD, "priority": 10, "_ansible_diff": True}
    outputs = []
    rc, result = run_module(credential, args)
    outputs.append(result)
    assert (rc, result["changed"], result["password_changed"]) == (0, True, True)
    assert result["credential"]["name"] == "admin" and result["credential"]["priority"] == 10
    rc, result = run_module(credential, dict(args, password="Rotated-Pa55word", update_password="always"))
    outputs.append(result)
    assert (rc, result["changed"], result["password_changed"]) == (0, True, True)
    assert result["diff"]["after"]["password"] == "<changed>"
    rc, result = run_module(credential, dict(args, password="Rotated-Pa55word", update_password="always"))
    outputs.append(result)
    assert (rc, result["changed"]) == (0, False)
    text = json.dumps(outputs)
    assert PASSWORD not in text and "Rotated-Pa55word" not in text and "gAAAA" not in text


def test_explicit_encryption_key_option(run_module, sqlite_db_url, monkeypatch):
    monkeypatch.delenv("NETRAVEN_ENCRYPTION_KEY", raising=False)
    args = {"db_url": sqlite_db_url, "username": "admin", "password": PASSWORD}
    rc, result = run_module(credential, args)
    assert rc == 1 and result["msg"].startswith("NETRAVEN_ENCRYPTION_KEY is not set")
    rc, result = run_module(credential, dict(args, encryption_key="an-explicit-passphrase"))
    assert (rc, result["changed"]) == (0, True)
    assert "an-explicit-passphrase" not in json.dumps(result)


def test_name_or_username_is_required(run_module, sqlite_db_url, unit_key):
    rc, result = run_module(credential, {"db_url": sqlite_db_url, "password": PASSWORD})
    assert rc == 1 and "one of the following is required: name, username" in result["msg"]
    assert PASSWORD not in json.dumps(result)


def test_empty_password_fails_in_one_line(run_module, sqlite_db_url, unit_key):
    rc, result = run_module(credential, {"db_url": sqlite_db_url, "username": "admin", "password": ""})
    assert rc == 1 and result["msg"] == "Credential 'admin': the password must not be empty"
