# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the configuration history: list versions, pick one, diff two, search the estate.

Everything here only reads. The text returned is the stored (masked) text; see docs/history.md.
The one exception is ``reveal``: the sealed original of one explicitly selected version, opened
with the encryption key, only on request and only in a task with ``no_log: true``.
The search across devices is _history._search.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, Union

from ansible_collections.netraven.netraven.plugins.module_utils._history._diff import diff_configs
from ansible_collections.netraven.netraven.plugins.module_utils._errors import EncryptionKeyError, ValidationError
from ansible_collections.netraven.netraven.plugins.module_utils._platforms import GENERIC, profile_for
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY, Device, DeviceConfiguration
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import iso_text
from ansible_collections.netraven.netraven.plugins.module_utils._history._search import compile_search, search_configs

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import QueryableAttribute
    from sqlalchemy.sql import ColumnElement

    from ansible_collections.netraven.netraven.plugins.module_utils._crypto import SecretBox
    from ansible_collections.netraven.netraven.plugins.module_utils._db._statements import AnySelect

from ansible_collections.netraven.netraven.plugins.module_utils._db._driver_errors import DRIVER_ERRORS, raise_driver_error

SELECTORS = ("version", "config_id", "at")


def _meta_columns() -> Tuple[Union[ColumnElement[Any], QueryableAttribute[Any]], ...]:
    """The columns of a version's metadata (without its text)."""
    return (DeviceConfiguration.id, DeviceConfiguration.retrieved_at, DeviceConfiguration.job_id,
            DeviceConfiguration.data_hash, sa.func.length(DeviceConfiguration.config_data).label("bytes"))


def _metadata(row: Any, text: Optional[str] = None) -> Dict[str, Any]:
    """A version's result fields; lines are counted only when the text is at hand."""
    data: Dict[str, Any] = {"config_id": row.id, "retrieved_at": iso_text(row.retrieved_at), "job_id": row.job_id,
                            "data_hash": row.data_hash, "bytes": row.bytes}
    if text is not None:
        data["lines"] = len(text.splitlines())
    return data


def check_selectors(params: Dict[str, Any]) -> None:
    """At most one of version, config_id and at."""
    given = [name for name in SELECTORS if params.get(name) is not None]
    if len(given) > 1:
        raise ValidationError("Give at most one of version, config_id and at, not %s" % " and ".join(given))


def parse_at(value: str) -> datetime.datetime:
    """An ISO timestamp, naive in UTC as the database stores it."""
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError("at %r is not an ISO timestamp (for example 2026-12-01T21:30:00Z)" % value) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


def find_device(connection: Connection, device: str) -> Any:
    """The device row for a hostname or id, or one line naming it."""
    query = sa.select(Device.id, Device.hostname, Device.device_type)
    condition = Device.hostname == device
    if str(device).isdigit():
        condition = sa.or_(condition, Device.id == int(device))
    row = connection.execute(query.where(condition).order_by(Device.hostname != device)).first()
    if row is None:
        raise ValidationError("Unknown device %r: no device has that hostname or id" % device)
    return row


def _version_query(device_id: int) -> AnySelect:
    return (sa.select(*_meta_columns()).where(DeviceConfiguration.device_id == device_id)
            .order_by(DeviceConfiguration.id.desc()))


def list_versions(connection: Connection, device_id: int, limit: Optional[int] = None) -> List[Dict[str, Any]]:
    """Versions newest first, with their line counts."""
    query = sa.select(*_meta_columns(), DeviceConfiguration.config_data).where(
        DeviceConfiguration.device_id == device_id).order_by(DeviceConfiguration.id.desc())
    if limit:
        query = query.limit(limit)
    return [_metadata(row, row.config_data) for row in connection.execute(query)]


def select_version(connection: Connection, device: Any, version: Optional[int] = None, config_id: Optional[int] = None,
                   at: Optional[str] = None, with_original: bool = False) -> Any:
    """The row of one version (with config_data, and the sealed original when asked) by number, id or time; latest by default."""
    columns = (*_meta_columns(), DeviceConfiguration.config_data) + ((DeviceConfiguration.original,) if with_original else ())
    query = sa.select(*columns).where(DeviceConfiguration.device_id == device.id)
    if config_id is not None:
        query, what = query.where(DeviceConfiguration.id == config_id), "config_id %s" % config_id
    elif at is not None:
        query = query.where(DeviceConfiguration.retrieved_at <= parse_at(at)).order_by(DeviceConfiguration.id.desc())
        what = "a version stored at or before %s" % at
    else:
        number = 1 if version is None else version
        if number < 1:
            raise ValidationError("version %s is not valid: 1 is the latest, 2 the one before" % number)
        query = query.order_by(DeviceConfiguration.id.desc()).offset(number - 1)
        what = "version %s" % number
    row = connection.execute(query.limit(1)).first()
    if row is None:
        raise ValidationError("Device %s has no %s" % (device.hostname, what))
    return row


def version_result(device: Any, row: Any) -> Dict[str, Any]:
    """The result of the one-version mode."""
    result: Dict[str, Any] = {"hostname": device.hostname, "config": row.config_data}
    result.update(_metadata(row, row.config_data))
    return result


def _header(device: Any, row: Any) -> str:
    return "%s config_id=%s %s" % (device.hostname, row.id, iso_text(row.retrieved_at))


def diff_result(connection: Connection, device: Any, selected: Any, against: int) -> Dict[str, Any]:
    """The diff from version ``against`` to the selected one, also in Ansible's before/after form.

    Both texts are normalised by the device's platform profile first (volatile lines such as
    IOS's "! Last configuration change at" dropped), as the job's changed_devices and the
    report do, so the diff holds exactly the lines that changed and the counts agree everywhere.
    """
    older = select_version(connection, device, version=against)
    platform = profile_for(device.device_type) or GENERIC
    before, after = platform.normalise(older.config_data or ""), platform.normalise(selected.config_data or "")
    change = diff_configs(before, after, _header(device, older), _header(device, selected))
    return {
        "hostname": device.hostname,
        "diff": {"before": before, "after": after,
                 "before_header": _header(device, older), "after_header": _header(device, selected)},
        "unified_diff": change.text,
        "diff_stats": change.stats(),
        "from_config_id": older.id,
        "to_config_id": selected.id,
    }


def check_reveal(params: Dict[str, Any], no_log: bool = False) -> None:
    """reveal opens one explicitly selected version (not a search, a list or a diff), in a task with no_log: true."""
    if not params.get("reveal"):
        return
    if params.get("search") is not None:
        raise ValidationError("reveal returns the original of one version: it cannot be combined with search")
    if params.get("diff_against") is not None:
        raise ValidationError("reveal returns the original of one version: it cannot be combined with diff_against")
    if not any(params.get(name) is not None for name in SELECTORS):
        raise ValidationError("reveal returns the original of one version: select it with version, config_id or at")
    if not no_log:
        # The module cannot hide its own result: Ansible prints it, logs it and hands it to callbacks.
        raise ValidationError("reveal returns the configuration unmasked, secrets included: run the task with "
                              "no_log: true (register still gets the result), so that Ansible prints and logs none of it")


def reveal_original(device: Any, row: Any, secret_box: SecretBox) -> str:
    """The unmasked text a version's sealed original holds, or one line saying why it cannot be opened."""
    token = row.original
    if token is None:
        raise ValidationError("Device %s config_id %s has no sealed original: it was stored with keep_original: false "
                              "or before the original was kept" % (device.hostname, row.id))
    if not secret_box.can_decrypt(token):
        raise EncryptionKeyError(
            "NETRAVEN_ENCRYPTION_KEY cannot open the sealed original of %s config_id %s: the key is wrong or was "
            "rotated out (put the old passphrase in NETRAVEN_ENCRYPTION_OLD_KEYS)" % (device.hostname, row.id))
    return secret_box.decrypt(token)


def config_history(engine: Engine, params: Dict[str, Any], secret_box: Optional[Callable[[], SecretBox]] = None,
                   no_log: bool = False) -> Dict[str, Any]:
    """The config_info result for params (device, version, config_id, at, diff_against, search, reveal, ...).

    ``secret_box`` is a callable returning the SecretBox, called only for reveal: without
    reveal no key is needed and no original is read. ``no_log`` is the task's: reveal is
    refused without it.
    """
    check_selectors(params)
    check_reveal(params, no_log)
    try:
        with engine.connect() as connection:
            return _dispatch(connection, params, secret_box)
    except DRIVER_ERRORS as error:
        raise_driver_error(error, engine)


def _dispatch(connection: Connection, params: Dict[str, Any],
              secret_box: Optional[Callable[[], SecretBox]] = None) -> Dict[str, Any]:
    result: Dict[str, Any] = {"changed": False}
    if params.get("search") is not None:
        pattern = compile_search(params["search"])
        result.update(search_configs(connection, pattern, params.get("tags"), params.get("context") or 0,
                                     bool(params.get("absent")), params.get("limit")))
        return result
    if not params.get("device"):
        raise ValidationError("device is required unless search is set")
    device = find_device(connection, params["device"])
    selected = any(params.get(name) is not None for name in SELECTORS)
    if params.get("diff_against") is not None:
        row = select_version(connection, device, params.get("version"), params.get("config_id"), params.get("at"))
        result.update(diff_result(connection, device, row, params["diff_against"]))
        return result
    if selected:
        reveal = bool(params.get("reveal"))
        row = select_version(connection, device, params.get("version"), params.get("config_id"), params.get("at"),
                             with_original=reveal)
        result.update(version_result(device, row))
        if reveal:
            if secret_box is None:  # a caller that allows reveal gives the box (config_info's handler)
                raise ValueError("config_history: reveal needs secret_box")
            result["original"] = reveal_original(device, row, secret_box())
        return result
    result.update({"hostname": device.hostname,
                   "versions": list_versions(connection, device.id, params.get("limit"))})
    return result


def read_text(engine: Engine, device: str, version: Optional[int] = None, config_id: Optional[int] = None,
              at: Optional[str] = None) -> str:
    """The stored (masked) text of one version, for the config lookup."""
    check_selectors({"version": version, "config_id": config_id, "at": at})
    try:
        with engine.connect() as connection:
            text: str = select_version(connection, find_device(connection, device), version, config_id, at).config_data
            return text
    except DRIVER_ERRORS as error:
        raise_driver_error(error, engine)
