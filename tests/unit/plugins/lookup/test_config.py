# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The netraven.netraven.config lookup: texts in order, unsafe (never templated), one-line errors."""

from __future__ import annotations

import pytest

sa = pytest.importorskip("sqlalchemy")

# pylint: disable=wrong-import-position
from ansible.errors import AnsibleLookupError  # noqa: E402

try:  # ansible-core 2.19+: data tagging; a text is templated only when trusted
    from ansible.template import is_trusted_as_template  # noqa: E402
except ImportError:  # pragma: no cover - older ansible-core
    from ansible.utils.unsafe_proxy import AnsibleUnsafe  # noqa: E402

    def is_trusted_as_template(value):
        return not isinstance(value, AnsibleUnsafe)

from ansible_collections.netraven.netraven.plugins.lookup.config import LookupModule  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Device, DeviceConfiguration  # noqa: E402

TEMPLATED = "banner motd {{ lookup('pipe', 'touch /tmp/x') }}\n"


@pytest.fixture
def lookup(sqlite_db_url):
    engine = sa.create_engine(sqlite_db_url)
    with engine.begin() as connection:
        connection.execute(sa.insert(Device), [
            {"id": 1, "hostname": "core-1", "ip_address": "192.0.2.11", "device_type": "cisco_ios"},
            {"id": 2, "hostname": "edge-1", "ip_address": "192.0.2.12", "device_type": "cisco_ios"}])
        connection.execute(sa.insert(DeviceConfiguration), [
            {"device_id": 1, "config_data": "old\n", "data_hash": "a"},
            {"device_id": 1, "config_data": TEMPLATED, "data_hash": "b"},
            {"device_id": 2, "config_data": "edge\n", "data_hash": "c"}])
    engine.dispose()

    def _lookup(*terms, **options):
        # Outside a playbook the plugin's option docs are not registered: hand the options over as set_options would.
        plugin = LookupModule()
        plugin.set_options = lambda var_options=None, direct=None: None
        plugin.get_option = dict(options, db_url=sqlite_db_url).get
        return plugin.run(list(terms), variables={})

    return _lookup


def test_latest_texts_in_order_and_unsafe(lookup):
    texts = lookup("core-1", "edge-1")
    assert texts == [TEMPLATED, "edge\n"]
    assert not any(is_trusted_as_template(text) for text in texts)
    assert lookup("core-1", version=2) == ["old\n"]
    assert lookup("2", config_id=3) == ["edge\n"]


def test_errors_are_one_line(lookup):
    with pytest.raises(AnsibleLookupError, match="Unknown device 'ghost'"):
        lookup("ghost")
    with pytest.raises(AnsibleLookupError, match="version and at"):
        lookup("core-1", version=1, at="2026-01-01")
