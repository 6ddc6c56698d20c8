# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based tests (hypothesis) of the parts that take untrusted text: whatever it holds, the result is one storable line or a one-line refusal.

- masking: a generated secret, on any secret-line form of any built-in platform profile,
  anywhere in a configuration, never survives;
- mask_url / mask_text: no generated password survives, as typed or URL-encoded;
- clean_output / clean_message: the result is always storable (valid UTF-8, no NUL, no
  control character but tab and newline; a message one line);
- the management modules' validation: no input gives anything but a one-line ValidationError.

Fast and deterministic: a modest max_examples, no deadline, derandomized (the same examples
in every run and in CI).
"""

from __future__ import annotations

import string

import pytest

hypothesis = pytest.importorskip("hypothesis")

# pylint: disable=wrong-import-position
from hypothesis import assume, given, settings, strategies as st  # noqa: E402

from ansible_collections.netraven.netraven.plugins.module_utils._backup._options import tunable_error  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._backup._device_text import clean_message, clean_output  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._url_masking import mask_text, mask_url  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._manage._common import check_text, clean_tag_names  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._manage._devices import (  # noqa: E402
    check_hostname,
    normalise_ip,
    validate_device_type,
    validate_port,
)
from ansible_collections.netraven.netraven.plugins.module_utils._platforms import BUILT_IN, profile_for  # noqa: E402

PROPERTY = settings(max_examples=60, deadline=None, derandomize=True, database=None)
PER_FORM = settings(PROPERTY, max_examples=15)  # 15 examples for each of the ~50 secret-line forms
KEY = b"property-key-0123456789abcdef012"

# Every built-in profile's secret-line forms; {s} is where the secret goes (a line may hold two).
SECRET_LINES = {
    "ios": ["enable secret 5 {s}", "enable secret level 15 5 {s}", "username admin privilege 15 secret 9 {s}",
            "username ops password 7 {s}", " key-string 7 {s}", " standby 1 authentication md5 key-string {s}",
            "ntp authentication-key 1 md5 {s} 7", "snmp-server community {s} RO",
            "snmp-server host 192.0.2.1 version 2c {s}", "snmp-server user u g v3 auth sha {s} priv aes 128 {s}",
            "crypto isakmp key {s} address 192.0.2.9", " pre-shared-key address 192.0.2.9 key {s}",
            " server-private 192.0.2.5 key 7 {s}", " ppp chap password 7 {s}", "ip ftp password {s}",
            "tacacs-server key 7 {s}", " ip ospf message-digest-key 1 md5 7 {s}", " neighbor 192.0.2.2 password 7 {s}"],
    "nxos": ["username admin password 5 {s} role network-admin",
             "snmp-server user admin network-admin auth md5 {s} priv {s} localizedkey"],
    "iosxr": [" secret 10 {s}", " message-digest-key 1 md5 encrypted {s}", " password encrypted {s}"],
    "asa": ["enable password {s} encrypted", "username x password {s} encrypted privilege 15", "passwd {s} encrypted",
            " ikev1 pre-shared-key {s}", "snmp-server host inside 192.0.2.250 community {s} version 2c"],
    "eos": ["username admin privilege 15 role network-admin secret sha512 {s}", "enable password sha512 {s}"],
    "junos": ["    community {s} {{", '        encrypted-password "{s}"; ## SECRET-DATA',
              '                key "{s}"; ## SECRET-DATA', '    authentication-key "{s}"; ## SECRET-DATA'],
    "fortios": ['        set community "{s}"'],
    "panos": ["        phash {s};", "                  snmp-community-string {s};"],
    "routeros": ["add name=ops password={s} group=full", "set [ find default=yes ] wpa2-pre-shared-key={s} mode=dynamic-keys",
                 'add address=192.0.2.1 secret="{s}" service=login'],
    "vrp": [" local-user admin password irreversible-cipher {s}", "snmp-agent community read cipher {s}",
            " radius-server shared-key cipher {s}"],
    "procurve": ['password manager user-name "admin" sha1 "{s}"', 'snmp-server community "{s}" unrestricted'],
    "aoscx": ["user admin group administrators password ciphertext {s}"],
    "comware": [" password hash {s}", " snmp-agent community read simple {s}"],
    "os10": ["username admin password {s} role sysadmin priv-lvl 15"],
    "ftos": ["username admin password 7 {s} privilege 15"],
    "exos": ['configure snmpv3 add community "{s}" name "{s}" user "v1v2c_ro"', 'configure account admin encrypted "{s}"'],
}
FORMS = [(profile.device_types[0], form) for profile in BUILT_IN for form in SECRET_LINES[profile.name]]
FILLER = ["!", "interface Gi0/1", " description uplink", " no shutdown", "ip route 0.0.0.0 0.0.0.0 192.0.2.254",
          "logging host 192.0.2.10", "hostname r1", "end"]
SAFE = string.ascii_letters + string.digits + "-_.!*+@%^$"
secrets = st.text(SAFE, min_size=6, max_size=24).map(lambda value: "Zq" + value)


def test_every_built_in_profile_has_secret_line_forms():
    assert sorted(SECRET_LINES) == sorted(profile.name for profile in BUILT_IN)


@pytest.mark.parametrize("device_type,form", FORMS)
@PER_FORM
@given(secret=secrets, before=st.lists(st.sampled_from(FILLER), max_size=6),
       after=st.lists(st.sampled_from(FILLER), max_size=6))
def test_a_secret_on_a_secret_line_never_survives_masking(device_type, form, secret, before, after):
    line = form.format(s=secret)
    text = "\n".join(before + [line] + after)
    profile = profile_for(device_type)
    for key in (KEY, None):  # stored configurations (keyed) and session logs (unkeyed)
        masked = profile.mask_secrets(text, key)
        assert secret not in masked, (form, masked)
        assert masked.count("\n") == text.count("\n")


@PROPERTY
@given(password=st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=6, max_size=30))
def test_no_url_encoded_password_survives(password):
    from urllib.parse import quote, quote_plus  # pylint: disable=import-outside-toplevel
    for written in (quote(password, safe=""), quote_plus(password)):
        url = "postgresql+psycopg2://netraven:%s@db.example.com:5432/netraven?sslmode=verify-full" % written
        masked = mask_url(url)
        assert masked == "postgresql+psycopg2://netraven:***@db.example.com:5432/netraven?sslmode=verify-full"
        text = mask_text('FATAL: password authentication failed: "%s" (%s) for %s' % (password, written, url), url)
        assert password not in text and written not in text, text


@PROPERTY
@given(password=st.text(string.ascii_letters + string.digits + " @:%äöüßéЖ中-_.!", min_size=6, max_size=30))
def test_no_password_as_typed_survives(password):
    """Typed into the URL unencoded: a space, '@', ':', '%' or non-ASCII (no '/', '?' or '#': those end a URL's userinfo)."""
    assume(password.strip() == password and password not in "postgresql+psycopg2://netraven:***@db.example.com:5432/netraven")
    url = "postgresql+psycopg2://netraven:%s@db.example.com:5432/netraven" % password
    assert mask_url(url) == "postgresql+psycopg2://netraven:***@db.example.com:5432/netraven"
    assert password not in mask_text("could not connect: password %s rejected (%s)" % (password, url), url)


any_text = st.text(st.characters(exclude_categories=()), max_size=80)  # surrogates and controls included


@PROPERTY
@given(text=any_text)
def test_clean_output_is_always_storable(text):
    cleaned = clean_output(text)
    cleaned.encode("utf-8")  # valid UTF-8: no lone surrogate
    assert "\x00" not in cleaned and "\r" not in cleaned
    assert all(ch in "\t\n" or not (ord(ch) < 32 or 0x7f <= ord(ch) <= 0x9f) for ch in cleaned)
    assert clean_output(cleaned) == cleaned
    message = clean_message(text)
    message.encode("utf-8")
    assert "\n" not in message and "\x00" not in message and "\t" not in message


user_text = st.text(st.characters(exclude_categories=()), max_size=300)


def one_line_refusal(call, *args):
    """call(*args) returns, or refuses with a ValidationError whose message is one printable line."""
    try:
        call(*args)
    except ValidationError as error:
        message = str(error)
        message.encode("utf-8")
        assert "\n" not in message and "\r" not in message and "\x00" not in message, message


@PROPERTY
@given(text=user_text)
def test_device_validation_never_raises_anything_but_one_line(text):
    one_line_refusal(check_hostname, text)
    one_line_refusal(normalise_ip, text)
    one_line_refusal(validate_device_type, text, ["cisco_ios", "cisco_xe", "arista_eos"])
    one_line_refusal(check_text, "description", text, 255, True)


@PROPERTY
@given(names=st.lists(st.one_of(st.none(), user_text), max_size=4))
def test_tag_validation_never_raises_anything_but_one_line(names):
    one_line_refusal(clean_tag_names, names)


@PROPERTY
@given(port=st.integers(), tunables=st.dictionaries(
    st.sampled_from(["connect_timeout", "command_timeout", "max_attempts", "lockout_threshold"]),
    st.one_of(st.none(), st.integers())))
def test_numbers_never_raise_anything_but_one_line(port, tunables):
    one_line_refusal(validate_port, port)
    refused = tunable_error(tunables)
    assert refused is None or "\n" not in refused


@PROPERTY
@given(text=st.text(st.sampled_from("ab \n\t-"), max_size=40),
       source=st.sampled_from(["^a", "b$", r"a\s+b", r"\s*", "^$", r"(a|b)+-", r"^\s+a", r"b\n?a", "-$", r"a\b"]))
def test_the_search_finds_exactly_the_lines_a_line_by_line_search_finds(text, source):
    from ansible_collections.netraven.netraven.plugins.module_utils._history._search import (  # pylint: disable=import-outside-toplevel
        LineMatcher,
        compile_search,
    )
    pattern = compile_search(source)
    expected = [index for index, line in enumerate(text.splitlines()) if pattern.search(line)]
    assert LineMatcher(pattern).lines(text) == expected
