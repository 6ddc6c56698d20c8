"""Rules: every bad rule is one line naming the rule and the field; a rule that tests a secret's value is refused."""

from __future__ import annotations

import pytest

pytest.importorskip("regex")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._rules import load_rules  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._compliance._scope import guard_secrets  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._platforms import PROFILES  # noqa: E402


@pytest.mark.parametrize("rules,culprit", [
    ([{"name": "ntp"}], "Rule 'ntp': has no check"),
    ([{"name": "ntp", "must_contain": "x", "colour": "red"}], "Rule 'ntp': unknown field 'colour'"),
    ([{"name": "a", "must_contain": "x"}, {"name": "a", "must_contain": "y"}], "Rule 'a' is defined twice (rules 1 and 2)"),
    ([{"must_contain": "x"}], "Rule 1: field 'name' is required"),
    ([{"name": "a", "must_contain": 5}], "Rule 'a', field 'must_contain': must be a string or a list of strings"),
    ([{"name": "a", "match": "ntp server"}], "Rule 'a', field 'intended': is required with match"),
    ([{"name": "a", "intended": ["x"], "must_contain": "y"}], "Rule 'a', field 'match': is required with intended"),
    ([{"name": "a", "must_contain": "x", "section_having": "y"}], "Rule 'a', field 'section_having': needs section"),
    ([{"name": "a", "must_contain": "x", "ordered": "yes"}], "Rule 'a', field 'ordered': must be true or false"),
    (["just text"], "Rule 1: must be a mapping"),
    ([], "The rules list is empty"),
])
def test_a_bad_rule_is_one_line_naming_the_rule_and_field(rules, culprit):
    with pytest.raises(ValidationError) as raised:
        load_rules(rules)
    assert culprit in str(raised.value) and "\n" not in str(raised.value)


def test_a_regex_that_does_not_compile_names_rule_and_field():
    (rule,) = load_rules([{"name": "vty", "section": "^line vty", "must_contain": ["^transport input ssh$", "(unclosed"]}])
    with pytest.raises(ValidationError) as raised:
        rule.compile()
    assert "rule 'vty' must_contain '(unclosed'" in str(raised.value)


def test_rules_file_and_intended_option(tmp_path):
    path = tmp_path / "rules.yml"
    path.write_text("rules:\n  - name: ntp\n    match: ntp server\n    intended: [ntp server 192.0.2.1]\n")
    (rule,) = load_rules(rules_file=str(path), intended={"ntp": "ntp server 192.0.2.9\nntp server 192.0.2.10\n"})
    assert rule.intended == ("ntp server 192.0.2.9", "ntp server 192.0.2.10")
    assert rule.fingerprint != load_rules(rules_file=str(path))[0].fingerprint
    with pytest.raises(ValidationError, match="intended names no rule 'nope'"):
        load_rules(rules_file=str(path), intended={"nope": []})
    path.write_text("rules:\n  - name: a\n  bad: [\n")
    with pytest.raises(ValidationError, match="is not valid YAML at line"):
        load_rules(rules_file=str(path))
    path.write_text("checks: []\n")
    with pytest.raises(ValidationError, match="must be a mapping with one key, 'rules'"):
        load_rules(rules_file=str(path))


IOS = [PROFILES["cisco_ios"]]


@pytest.mark.parametrize("rule,why", [
    ({"must_not_contain": "^snmp-server community public"}, "tests a secret's value"),
    ({"must_contain": "^snmp-server community (public|private) RO"}, "tests a secret's value"),
    ({"must_contain": r"^enable secret 5 \$1\$abcd"}, "tests a secret's value"),
    ({"must_contain": r"^username admin privilege 15 secret 5 <secret:0123456789abcdef>"}, "reaches inside a masking marker"),
    ({"must_contain": r"secret:[0-9a-f]{16}"}, "reaches inside a masking marker"),
    ({"match": "snmp-server community", "intended": ["snmp-server community S3cr3tCommunity RO"]}, "field 'intended' line 1"),
    ({"match": "crypto pki", "intended": ["crypto pki key -----BEGIN RSA PRIVATE KEY-----MIIEow"]}, "holds a private key"),
])
def test_a_rule_that_tests_a_secret_value_is_refused_without_echoing_it(rule, why):
    (loaded,) = load_rules([dict(rule, name="s")])
    with pytest.raises(ValidationError) as raised:
        guard_secrets(loaded, IOS)
    message = str(raised.value)
    assert why in message and "Rule 's'" in message and "\n" not in message
    for secret in ("public", "S3cr3tCommunity", "$1$abcd", "MIIEow"):
        assert secret not in message


@pytest.mark.parametrize("rule", [
    {"must_contain": r"^snmp-server community \S+ RO$"},
    {"must_contain": "^snmp-server community <secret> RO$"},
    {"must_not_contain": ["^enable password", "password 7 ", r"secret 5 "]},
    {"match": "username", "intended": ["username admin privilege 15 secret 9 <secret>"]},
    {"must_contain": "^crypto key generate rsa"},
    {"must_contain": "<secret:encrypted>"},
])
def test_rules_about_secrets_but_not_their_values_pass(rule):
    (loaded,) = load_rules([dict(rule, name="ok")])
    guard_secrets(loaded, IOS)


def test_the_guard_uses_the_platforms_section_rules():
    """FortiOS masks "set name" only inside "config system snmp community": there it is a value, elsewhere not."""
    forti = [PROFILES["fortinet"]]
    (community,) = load_rules([{"name": "c", "section": "^config system snmp community", "must_contain": "^set name corp$"}])
    with pytest.raises(ValidationError, match="tests a secret's value"):
        guard_secrets(community, forti)
    (policy,) = load_rules([{"name": "p", "section": "^config firewall policy", "must_contain": '^set name "lan-out"$'}])
    guard_secrets(policy, forti)
