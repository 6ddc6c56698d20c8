# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compliance rules as data: read (a list, or a YAML file holding ``rules:``), checked, compiled once per call.

Every problem is one line naming the rule and the field, found before any configuration is read
or anything stored: a rule without a check, an unknown field, a duplicate name, a wrong type, a
regex that does not compile. A regex that runs away on a line is refused when it does
(_regex.BoundedRegex), still before anything is stored. The schema is in docs/compliance.md
and DESIGN.md section 11.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ansible_collections.netraven.netraven.plugins.module_utils._compliance._patterns import LinePattern
from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError, short_value

REGEX_LIST_FIELDS = ("must_contain", "must_not_contain")
REGEX_FIELDS = ("section", "section_having")
TEXT_LIST_FIELDS = ("platforms", "tags", "match")
FIELDS = ("name", "description", "platforms", "tags", "must_contain", "must_not_contain", "section",
          "section_having", "match", "intended", "ordered")
CHECK_FIELDS = ("must_contain", "must_not_contain", "match")
MAX_NAME = 255


@dataclass
class Rule:
    """One rule, checked: its source fields, and its regexes once compiled (compile())."""

    name: str
    number: int
    description: str = ""
    platforms: Tuple[str, ...] = ()
    tags: Tuple[str, ...] = ()
    must_contain: Tuple[str, ...] = ()
    must_not_contain: Tuple[str, ...] = ()
    section: Optional[str] = None
    section_having: Optional[str] = None
    match: Tuple[str, ...] = ()
    intended: Optional[Tuple[str, ...]] = None
    ordered: bool = False
    fingerprint: str = ""
    compiled: Dict[str, Any] = field(default_factory=dict, repr=False)

    def where(self, field_name: Optional[str] = None) -> str:
        """How a message names the rule (and a field of it)."""
        text = "Rule '%s'" % short_value(self.name)
        return text + (", field '%s'" % field_name if field_name else "")

    def compile(self) -> None:
        """Compile every regex of the rule once for the whole call (not once per device)."""
        if self.compiled:
            return
        compiled: Dict[str, Any] = {}
        for name in REGEX_LIST_FIELDS:
            compiled[name] = tuple(LinePattern(pattern, "%s %s" % (self.where().lower(), name))
                                   for pattern in getattr(self, name))
        for name in REGEX_FIELDS:
            pattern = getattr(self, name)
            compiled[name] = LinePattern(pattern, "%s %s" % (self.where().lower(), name)) if pattern is not None else None
        self.compiled = compiled


def _fail(where: str, problem: str) -> ValidationError:
    return ValidationError("%s: %s" % (where, problem))


def _text_list(where: str, value: Any, allow_empty: bool = False) -> Tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        raise _fail(where, "must be a string or a list of strings")
    if not allow_empty and any(not item for item in value):
        raise _fail(where, "must not hold an empty string")
    return tuple(value)


def intended_lines(where: str, value: Any) -> Tuple[str, ...]:
    """Intended configuration as lines: a list of lines, or one text (a rendered template) split into lines."""
    if isinstance(value, str):
        value = value.split("\n")
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        raise _fail(where, "must be a list of lines or a text")
    lines = []
    for item in value:
        lines.extend(item.replace("\r\n", "\n").split("\n"))
    return tuple(line.rstrip() for line in lines if line.strip())


def _fingerprint(values: Dict[str, Any]) -> str:
    """A digest of what the rule checks: another rule text means its outcomes must be evaluated again."""
    checked = {key: values[key] for key in sorted(values) if key not in ("name", "description")}
    return hashlib.sha256(json.dumps(checked, sort_keys=True, default=list).encode("utf-8")).hexdigest()[:32]


def _rule(number: int, source: Any, intended: Dict[str, Any]) -> Rule:
    if not isinstance(source, dict):
        raise ValidationError("Rule %d: must be a mapping of fields (name, checks...)" % number)
    name = source.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("Rule %d: field 'name' is required (a unique text)" % number)
    if len(name) > MAX_NAME:
        raise ValidationError("Rule '%s': field 'name' is longer than %d characters" % (short_value(name), MAX_NAME))
    rule = Rule(name=name, number=number)
    unknown = sorted(str(key) for key in source if key not in FIELDS)
    if unknown:
        raise _fail(rule.where(), "unknown field '%s' (known: %s)" % (short_value(unknown[0]), ", ".join(FIELDS)))
    values: Dict[str, Any] = {}
    for key, value in source.items():
        if key == "name" or value is None:
            continue
        where = rule.where(key)
        if key in REGEX_LIST_FIELDS or key in TEXT_LIST_FIELDS:
            values[key] = _text_list(where, value)
        elif key in REGEX_FIELDS or key == "description":
            if not isinstance(value, str) or (key != "description" and not value):
                raise _fail(where, "must be a non-empty string")
            values[key] = value
        elif key == "intended":
            values[key] = intended_lines(where, value)
        elif key == "ordered":
            if not isinstance(value, bool):
                raise _fail(where, "must be true or false")
            values[key] = value
    if name in intended:
        values["intended"] = intended_lines("%s (from the intended option)" % rule.where("intended"), intended[name])
    _check_combinations(rule, values)
    for key, value in values.items():
        setattr(rule, key, value)
    rule.fingerprint = _fingerprint(values)
    return rule


def _check_combinations(rule: Rule, values: Dict[str, Any]) -> None:
    if not any(values.get(key) for key in CHECK_FIELDS):
        raise _fail(rule.where(), "has no check: give must_contain, must_not_contain, or match with intended")
    if values.get("match") and "intended" not in values:
        raise _fail(rule.where("intended"), "is required with match (the exact lines the feature must have; "
                                            "[] for none), in the rule or the module's intended option")
    if "intended" in values and not values.get("match"):
        raise _fail(rule.where("match"), "is required with intended (the prefix of the feature's lines)")
    if "ordered" in values and not values.get("match"):
        raise _fail(rule.where("ordered"), "applies to match and intended only")
    if "section_having" in values and "section" not in values:
        raise _fail(rule.where("section_having"), "needs section (it narrows the blocks section selects)")


def read_rules_file(path: str) -> List[Any]:
    """The ``rules:`` list of a YAML rules file, or one line naming the file and the problem."""
    import yaml  # PyYAML comes with ansible-core
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as stream:
            document = yaml.safe_load(stream)
    except (OSError, UnicodeError) as error:
        raise ValidationError("Rules file %s cannot be read: %s" % (path, getattr(error, "strerror", None) or error)) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = " at line %d" % (mark.line + 1) if mark is not None else ""
        raise ValidationError("Rules file %s is not valid YAML%s" % (path, where)) from None
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list) or set(document) - {"rules"}:
        raise ValidationError("Rules file %s must be a mapping with one key, 'rules' (a list of rules)" % path)
    rules: List[Any] = document["rules"]
    return rules


def load_rules(rules: Optional[Sequence[Any]] = None, rules_file: Optional[str] = None,
               intended: Optional[Dict[str, Any]] = None) -> List[Rule]:
    """The checked rules of ``rules`` or ``rules_file``, with ``intended`` (rule name -> lines) merged in."""
    if rules is None and not rules_file:
        raise ValidationError("Give rules, or rules_file (or the variable netraven_compliance_file): "
                              "there is nothing to evaluate")
    source = list(rules) if rules is not None else read_rules_file(rules_file or "")
    if not source:
        raise ValidationError("The rules list is empty: give at least one rule")
    intended = dict(intended or {})
    loaded: List[Rule] = []
    seen: Dict[str, int] = {}
    for number, item in enumerate(source, start=1):
        rule = _rule(number, item, intended)
        if rule.name in seen:
            raise ValidationError("%s is defined twice (rules %d and %d): names must be unique"
                                  % (rule.where(), seen[rule.name], number))
        seen[rule.name] = number
        loaded.append(rule)
    unknown = sorted(set(intended) - set(seen))
    if unknown:
        raise ValidationError("intended names no rule '%s' (rules: %s)"
                              % (short_value(unknown[0]), ", ".join(short_value(name) for name in sorted(seen))))
    return loaded
