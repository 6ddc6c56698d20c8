# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Platform profiles from the user's YAML file (``platforms_file``; docs/platforms.md "Your own profiles").

A network team adds a device type, or overrides a built-in profile, without writing Python:
the file holds the same fields as a built-in profile, with regexes as strings. Everything is
checked before any device is contacted, and a bad file is one line naming the profile and the
field, so a typo never sends a wrong command to a device or stores a configuration unchecked.

The file's regexes are the user's and run on the device's text, so they run with a time
bound per match (``_regex.BoundedRegex``): one that backtracks without end on a line is
refused in one line naming it, instead of stalling the controller.
"""

from __future__ import annotations

import dataclasses
import os
import re
import threading
from typing import Any, Dict, Optional, Tuple

from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError
from ansible_collections.netraven.netraven.plugins.module_utils._platforms import PROFILES, PROFILES_BY_NAME
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import BLOCK_STYLES, Profile
from ansible_collections.netraven.netraven.plugins.module_utils._regex import BoundedRegex

PLATFORMS_FILE_ENV = "NETRAVEN_PLATFORMS_FILE"
LIST_FIELDS = ("device_types", "commands", "pre_commands", "facts", "fact_volatile", "volatile", "secrets",
               "reencrypted")
# Rules an ``extends`` profile adds to its base's; every other field replaces the base's value.
ADDED_FIELDS = ("fact_volatile", "volatile", "secrets", "reencrypted")
TEXT_FIELDS = ("end", "comment", "blocks")
BOOL_FIELDS = ("enable",)
# Text fields that take one of a few values.
CHOICE_FIELDS = {"blocks": BLOCK_STYLES}
REGEX_FIELDS = ("fact_volatile", "volatile", "secrets", "reencrypted")
FIELDS = frozenset(LIST_FIELDS + TEXT_FIELDS + BOOL_FIELDS + ("extends",))

_CACHE: Dict[Tuple[str, int, int], Dict[str, Profile]] = {}
_CACHE_LOCK = threading.Lock()


def platforms_file_path(option: Optional[str]) -> Optional[str]:
    """The file the option names, else NETRAVEN_PLATFORMS_FILE, else None (built-in profiles only)."""
    return option or os.environ.get(PLATFORMS_FILE_ENV) or None


def load_platforms_file(path: str) -> Dict[str, Profile]:
    """The profile registry (device_type -> Profile): the built-ins with the file's profiles on top.

    Read once per process and file version (path, size, mtime): a fork reuses it.
    """
    try:
        stat = os.stat(path)
    except OSError as error:
        raise ValidationError("Platforms file %s cannot be read: %s" % (path, error.strerror)) from None
    key = (os.path.abspath(path), stat.st_size, int(stat.st_mtime_ns))
    with _CACHE_LOCK:
        registry = _CACHE.get(key)
        if registry is None:
            registry = _build_registry(path, _read(path))
            _CACHE[key] = registry
    return registry


def _read(path: str) -> Any:
    import yaml  # PyYAML comes with ansible-core
    try:
        with open(path, encoding="utf-8") as stream:
            document = yaml.safe_load(stream)
    except (OSError, UnicodeError) as error:
        raise ValidationError("Platforms file %s cannot be read: %s" % (path, error)) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = " at line %d" % (mark.line + 1) if mark is not None else ""
        raise ValidationError("Platforms file %s is not valid YAML%s" % (path, where)) from None
    if not isinstance(document, dict) or not isinstance(document.get("profiles"), dict) or set(document) - {"profiles"}:
        raise ValidationError("Platforms file %s must be a mapping with one key, 'profiles' (name: fields)" % path)
    return document["profiles"]


def _build_registry(path: str, profiles: Dict[Any, Any]) -> Dict[str, Profile]:
    registry = dict(PROFILES)
    for name, fields in profiles.items():
        profile = _profile(path, str(name), fields)
        for device_type in profile.device_types:
            registry[device_type] = profile
    return registry


def _profile(path: str, name: str, fields: Any) -> Profile:
    where = "Platforms file %s, profile '%s'" % (path, name)
    if not isinstance(fields, dict):
        raise ValidationError("%s: must be a mapping of fields" % where)
    unknown = sorted(set(map(str, fields)) - FIELDS)
    if unknown:
        raise ValidationError("%s: unknown field '%s' (known: %s)" % (where, unknown[0], ", ".join(sorted(FIELDS))))
    values = {field: _field_value(where, field, value) for field, value in fields.items()}
    base = _base(where, values.pop("extends", None))
    if base is not None:
        merged = {field.name: getattr(base, field.name) for field in dataclasses.fields(Profile) if field.init}
        for field, value in values.items():
            merged[field] = tuple(merged[field]) + value if field in ADDED_FIELDS else value
        values = merged
    values["name"] = name
    values["bounded"] = True
    if not values.get("commands"):
        raise ValidationError("%s: field 'commands' is required (the command(s) that print the configuration)" % where)
    if not values.get("device_types"):
        raise ValidationError("%s: field 'device_types' is required (or 'extends' a built-in profile)" % where)
    _check_device_types(where, values["device_types"])
    _check_regexes(where, values)
    return Profile(**values)


def _field_value(where: str, field: str, value: Any) -> Any:
    if field in LIST_FIELDS:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValidationError("%s, field '%s': must be a list of strings" % (where, field))
        return tuple(value)
    if field in BOOL_FIELDS:
        if not isinstance(value, bool):
            raise ValidationError("%s, field '%s': must be true or false" % (where, field))
        return value
    if value is not None and not isinstance(value, str):
        raise ValidationError("%s, field '%s': must be a string" % (where, field))
    if field in CHOICE_FIELDS and value not in CHOICE_FIELDS[field]:
        raise ValidationError("%s, field '%s': must be one of %s, not %r"
                              % (where, field, ", ".join(CHOICE_FIELDS[field]), value))
    return value


def _base(where: str, extends: Optional[str]) -> Optional[Profile]:
    if extends is None:
        return None
    base = PROFILES_BY_NAME.get(extends) or PROFILES.get(extends)
    if base is None:
        raise ValidationError("%s, field 'extends': no built-in profile or device type '%s' (see docs/platforms.md)"
                              % (where, extends))
    return base


def _check_device_types(where: str, device_types: Tuple[str, ...]) -> None:
    try:
        from netmiko.ssh_dispatcher import CLASS_MAPPER
    except ImportError:  # Checked where netmiko is installed: the backup cannot run without it anyway.
        return
    for device_type in device_types:
        if device_type not in CLASS_MAPPER:
            raise ValidationError("%s, field 'device_types': netmiko knows no device_type '%s'" % (where, device_type))


def _check_regexes(where: str, values: Dict[str, Any]) -> None:
    """Every regex compiles as it will run (the regex package), and every secret rule names its value.

    ``end`` may be left out, be ``braces`` or be a regex (docs/platforms.md).
    """
    for field in REGEX_FIELDS + ("end",):
        if field == "end":
            end = values.get("end")
            patterns: Tuple[str, ...] = (end,) if end not in (None, "braces") else ()
        else:
            patterns = tuple(values.get(field) or ())
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValidationError("%s, field '%s': regex %r does not compile (%s)" % (where, field, pattern, error)) from None
            compiled = BoundedRegex(pattern, "%s, field '%s'" % (where, field))
            if field in ("secrets", "reencrypted") and "secret" not in compiled.groupindex:
                raise ValidationError("%s, field '%s': regex %r has no named group (?P<secret>...) for the value"
                                      % (where, field, pattern))
