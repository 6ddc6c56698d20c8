# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Database URLs in messages: never a password, however the URL is written and whatever a driver echoes.

Every message that names a database goes through mask_url (the URL) or mask_text (a
driver's own text, which may quote the password as written, URL-decoded or as parsed).
"""

from __future__ import annotations

import re
import urllib.parse

from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY

if HAS_SQLALCHEMY:
    import sqlalchemy as sa

# user:password@ after a scheme (or at the start of a word, for scheme-less garbage). The
# password ends at the '@' whose host part is followed by '/', '?', a quote, a space or the
# end, so an unencoded '@' inside the password is masked too.
_PASSWORD_IN_URL = re.compile(
    r"(?P<head>(?:[a-zA-Z][a-zA-Z0-9+.-]*)?://[^:/@\s]*:|(?:^|(?<=[\s'\"(<=]))[^:/@\s'\"(<=]+:(?!//))"
    r"(?P<password>\S*?)"
    r"(?P<tail>@(?=[^@/?\s'\"]*(?:[/?\s'\"]|$)))")
# libpq (and so SQLAlchemy's psycopg2 dialect) also takes the password as a query parameter.
_PASSWORD_IN_QUERY = re.compile(r"(?P<head>[?&]password=)(?P<password>[^&\s'\"]*)", re.IGNORECASE)

# A whole URL: scheme://rest. Its userinfo ends at the first '@' followed by a plausible
# host[:port] and then '/', '?' or the end, so a password with a space, ':', '/' or an
# unencoded '@' is masked whole. A port has digits: "@z:/" inside a password is no host.
_WHOLE_URL = re.compile(r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<rest>.*)$", re.DOTALL)
_HOST_PORT = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._%-]*)(?::\d+)?(?=[/?]|$)")


def _split_userinfo(rest: str):
    """(userinfo, remainder starting at '@') of a URL's part after the scheme, or None without userinfo."""
    at = rest.find("@")
    while at != -1:
        if _HOST_PORT.match(rest, at + 1):
            return rest[:at], rest[at:]
        at = rest.find("@", at + 1)
    return None


def _url_passwords(url: str | None) -> list:
    """Every form a URL's password can take in driver text, longest first.

    The password as the URL writes it, URL-decoded, as SQLAlchemy parses it (which stops at
    an unencoded '@' and sends the tail to the driver as part of the host), and any
    ?password= value.
    """
    found = []
    match = _WHOLE_URL.match(str(url or "").strip())
    if match:
        split = _split_userinfo(match.group("rest"))
        if split and ":" in split[0]:
            written = split[0].split(":", 1)[1]
            found += [written, urllib.parse.unquote_plus(written), urllib.parse.unquote(written)]
    if HAS_SQLALCHEMY and url:
        try:
            parsed = sa.engine.make_url(str(url).strip())
            values = [parsed.password, parsed.query.get("password")]
            if parsed.host and "@" in parsed.host:
                values.append(parsed.host.rsplit("@", 1)[0])
        except Exception:  # pylint: disable=broad-except
            values = []
        for value in values:
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if item:
                    found += [str(item), urllib.parse.quote_plus(str(item)), urllib.parse.quote(str(item), safe="")]
    return sorted({item for item in found if item}, key=len, reverse=True)


def mask_url(url: str | None) -> str:
    """The URL with its password replaced by ***; safe for any message.

    A whole URL is split on the '@' that starts its host (see _HOST_PORT); text that merely
    contains URLs falls back to the pattern above. Engines' URLs are rendered by SQLAlchemy
    (describe_engine).
    """
    if not url:
        return ""
    text = str(url)
    match = _WHOLE_URL.match(text.strip())
    split = _split_userinfo(match.group("rest")) if match else None
    if split:
        if ":" in split[0]:
            text = match.group("scheme") + split[0].split(":", 1)[0] + ":***" + split[1]
    else:
        text = _PASSWORD_IN_URL.sub(lambda m: m.group("head") + "***" + m.group("tail"), text)
    return _PASSWORD_IN_QUERY.sub(lambda m: m.group("head") + "***", text)


def mask_text(text: str, url: str | None) -> str:
    """Remove a URL's password (as written, URL-decoded, as parsed) from any message: driver errors may echo it."""
    text = str(text)
    for secret in _url_passwords(url):
        text = text.replace(secret, "***")
    text = _PASSWORD_IN_URL.sub(lambda m: m.group("head") + "***" + m.group("tail"), text)
    return _PASSWORD_IN_QUERY.sub(lambda m: m.group("head") + "***", text)


def first_line(text: str) -> str:
    """The first non-empty line of a driver message, which is the informative one."""
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return str(text).strip()
