# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""URLs in messages (database URLs, git remotes): never a secret, however the URL is written and whatever a tool echoes.

Every message that names a database or a git remote goes through mask_url (the URL) or
mask_text (a driver's or git's own text, which may quote the secret as written, URL-decoded
or as parsed). The secrets of a URL (url_secrets) are:

- the password of its userinfo, also where the URL does not parse (an unencoded '@' or '/'
  in the password, an unbalanced '[' in the host);
- the value of every query parameter whose key holds ``pass``, ``token``, ``secret`` or ``key``
  (libpq's ``password`` and ``sslpassword``, a forge's ``private_token``, ``api_key``, ...);
- for the schemes the caller names (git remotes: http and https), a userinfo without a
  password, which is how hosted git services take an access token (https://<token>@host/).
"""

from __future__ import annotations

import re
import urllib.parse
from typing import List, Optional, Sequence, Tuple

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
# A lone user before the host (https://<token>@host/), for the schemes whose user is a secret.
_USER_IN_URL = re.compile(r"(?P<head>(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://)(?P<user>[^:/@\s'\"]+)(?P<tail>@)")
# A query parameter whose key holds one of these words carries a secret (sslpassword, private_token, api_key).
SECRET_KEY_WORDS = ("pass", "token", "secret", "key")
_SECRET_IN_QUERY = re.compile(
    r"(?P<head>[?&;](?P<key>[\w.~-]*?(?:%s)[\w.~-]*)=)(?P<value>[^&\s'\"]*)" % "|".join(SECRET_KEY_WORDS),
    re.IGNORECASE)

# A whole URL: scheme://rest. Its userinfo ends at an '@' followed by a plausible host[:port]
# and then '/', '?' or the end, so a password with a space, ':', '/' or an unencoded '@' is
# masked whole. A port has digits: "@z:/" inside a password is no host.
_WHOLE_URL = re.compile(r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)(?P<sep>://)(?P<rest>.*)$", re.DOTALL)
_HOST_PORT = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._%-]*)(?::\d+)?(?=[/?]|$)")


def _split_userinfo(rest: str) -> Optional[Tuple[str, str]]:
    """(userinfo, remainder starting at '@') of a URL's part after the scheme, or None without userinfo.

    Of the '@'s followed by a plausible host, the last one before the query: a password may
    hold '@' and '/' unencoded (p@ss/word@db/netraven), a query value may hold '@' too.
    """
    candidates = [at for at in range(len(rest)) if rest[at] == "@" and _HOST_PORT.match(rest, at + 1)]
    if not candidates:
        return None
    query = rest.find("?", candidates[0])
    at = [candidate for candidate in candidates if query == -1 or candidate < query][-1]
    return rest[:at], rest[at:]


def written_password(url: Optional[str]) -> Optional[str]:
    """The userinfo password as the URL writes it (up to the '@' that starts its host), or None.

    SQLAlchemy ends a password at its first '@': a written password that holds one is cut, and
    its tail sent on as the host and the database name (_db._engine refuses such a URL).
    """
    match = _WHOLE_URL.match(str(url or "").strip())
    split = _split_userinfo(match.group("rest")) if match else None
    if not split or ":" not in split[0]:
        return None
    return split[0].split(":", 1)[1]


def _forms(value: str) -> List[str]:
    """A secret as written and URL-decoded (a driver or git may quote either)."""
    return [value, urllib.parse.unquote_plus(value), urllib.parse.unquote(value)]


def _secret_user(scheme: str, user: str, secret_user_schemes: Sequence[str]) -> bool:
    return scheme.lower() in secret_user_schemes and "/" not in user


def url_secrets(url: Optional[str], secret_user_schemes: Sequence[str] = ()) -> List[str]:
    """Every form a URL's secrets can take in a tool's text, longest first.

    The userinfo password as the URL writes it, URL-decoded, and as SQLAlchemy parses it
    (which stops at an unencoded '@' and sends the tail to the driver as part of the host);
    every secret query value (SECRET_KEY_WORDS); and, for secret_user_schemes, a lone user.
    """
    text = str(url or "").strip()
    found: List[str] = []
    match = _WHOLE_URL.match(text)
    split = _split_userinfo(match.group("rest")) if match else None
    if split:
        if ":" in split[0]:
            written = split[0].split(":", 1)[1]
            found += _forms(written)
            if "@" in written:
                # SQLAlchemy cuts a password at an unencoded '@' and sends the rest on as the host,
                # port and database name, which the driver's errors then quote.
                found += re.split(r"[@/?:]", written)
        elif match and _secret_user(match.group("scheme"), split[0], secret_user_schemes):
            found += _forms(split[0])
    else:  # A URL no host follows (an unbalanced '[', garbage): the patterns still find the secret.
        found += [form for hit in _PASSWORD_IN_URL.finditer(text) for form in _forms(hit.group("password"))]
        found += [form for hit in _USER_IN_URL.finditer(text)
                  if _secret_user(hit.group("scheme"), hit.group("user"), secret_user_schemes)
                  for form in _forms(hit.group("user"))]
    found += [form for hit in _SECRET_IN_QUERY.finditer(text) for form in _forms(hit.group("value"))]
    if HAS_SQLALCHEMY and text and match:
        try:
            parsed = sa.engine.make_url(text)
            values = [parsed.password] + [value for key, value in parsed.query.items()
                                          if any(word in key.lower() for word in SECRET_KEY_WORDS)]
            if parsed.host and "@" in parsed.host:
                values.append(parsed.host.rsplit("@", 1)[0])
        except Exception:  # pylint: disable=broad-except
            values = []
        for value in values:
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if item:
                    found += [str(item), urllib.parse.quote_plus(str(item)), urllib.parse.quote(str(item), safe="")]
    return sorted({item for item in found if item}, key=len, reverse=True)


def _mask_patterns(text: str, secret_user_schemes: Sequence[str]) -> str:
    """The userinfo and query patterns applied to any text (URLs inside a message)."""
    text = _PASSWORD_IN_URL.sub(lambda m: m.group("head") + "***" + m.group("tail"), text)
    if secret_user_schemes:
        text = _USER_IN_URL.sub(lambda m: m.group("head") + (
            "***" if _secret_user(m.group("scheme"), m.group("user"), secret_user_schemes) else m.group("user"))
            + m.group("tail"), text)
    return _SECRET_IN_QUERY.sub(lambda m: m.group("head") + "***", text)


def mask_url(url: Optional[str], secret_user_schemes: Sequence[str] = ()) -> str:
    """The URL with its secrets replaced by ***; safe for any message.

    A whole URL is split on the '@' that starts its host (see _split_userinfo); text that
    merely contains URLs, or a URL that does not parse, falls back to the patterns above.
    Engines' URLs are rendered by SQLAlchemy (describe_engine). A git remote names its
    secret_user_schemes (http, https).
    """
    if not url:
        return ""
    text = str(url)
    match = _WHOLE_URL.match(text.strip())
    split = _split_userinfo(match.group("rest")) if match else None
    if not match or not split:
        return _mask_patterns(text, secret_user_schemes)
    head = match.group("scheme") + match.group("sep")
    userinfo, remainder = split
    if ":" in userinfo:
        text = head + userinfo.split(":", 1)[0] + ":***" + remainder
    elif _secret_user(match.group("scheme"), userinfo, secret_user_schemes):
        text = head + "***" + remainder
    return _SECRET_IN_QUERY.sub(lambda m: m.group("head") + "***", text)


def mask_text(text: str, url: Optional[str], secret_user_schemes: Sequence[str] = ()) -> str:
    """Remove a URL's secrets (as written, URL-decoded, as parsed) from any message: drivers and git may echo them."""
    text = str(text)
    for secret in url_secrets(url, secret_user_schemes):
        text = text.replace(secret, "***")
    return _mask_patterns(text, secret_user_schemes)


def first_line(text: object) -> str:
    """The first non-empty line of a driver message (an exception or its text), which is the informative one."""
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return str(text).strip()
