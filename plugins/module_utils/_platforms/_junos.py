# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Juniper JunOS: show configuration, curly braces balanced."""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._common import URL_PASSWORD
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

_VALUE = r'(?P<secret>"[^"]*"|[^;\s{]+)'

PROFILE = Profile(
    name="junos",
    device_types=("juniper_junos", "juniper"),
    commands=("show configuration",),
    end="braces",
    blocks="braces",
    comment="#",
    facts=("show version",),
    volatile=(r"^## Last commit: ", r"^## Last changed: ", r"^## Image name: "),
    secrets=(
        r"(?<![\w-])(?:encrypted-password|secret|authentication-key|simple-password|hello-authentication-key|"
        r"authentication-password|privacy-password|key|password) " + _VALUE,
        r"\bpre-shared-key (?:ascii-text|hexadecimal) " + _VALUE,
        r"^\s*community " + _VALUE,
        # Any reversible $9$ string, e.g. "authentication-key 1 type md5 value "$9$..."; ## SECRET-DATA"
        r'(?P<secret>"\$9\$[^"]*")',
        # A password inside a URL, which JunOS does not tag ## SECRET-DATA (archive-sites "pasvftp://u:PASS@h/")
        URL_PASSWORD,
        # Whatever else JunOS itself tags as secret: the value that ends the statement (a form not named
        # above, and the SSH keys of root-authentication and login users, which JunOS tags too).
        r'(?P<secret>"(?:[^"\\]|\\.)*"|[^;\s{"]+);\s*## SECRET-DATA\s*$',
    ),
)
