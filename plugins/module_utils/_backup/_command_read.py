# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading one command's output: until the device's own prompt, timing out on silence, answering a pager.

netmiko's send_command keeps polling a closed channel until its read timeout and ends its
read on a prompt pattern built from its idea of the prompt. This read instead:

- ends on the prompt the device actually showed after login (netmiko's find_prompt, recorded
  by the connection), whatever its shape (``<host>``, ``[~host]``, ``host>``, ``host#``,
  ``[admin@host] >``), or on netmiko's base prompt followed by a mode suffix, standing on a
  line of its own after the output, then followed by silence;
- times out on silence: ``timeout`` counts from the last byte received, so a 20 MB
  configuration that streams steadily is read whole; an overall cap (READ_CAP_FACTOR times
  the timeout) still ends a device that never stops talking;
- answers a ``--More--``-style pager with a space when paging could not be turned off
  (read-only FortiGate admins, some ProCurve), and drops the pager text and its erasure;
- notices a dropped session at once: a closed channel is a truncated configuration.
"""

from __future__ import annotations

import re
import time
from typing import Any, Callable, List, Optional

from ansible_collections.netraven.netraven.plugins.module_utils._backup._attempt_error import AttemptError
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import ErrorType

POLL_SECONDS = 0.01
# After a prompt-like last line, how long the channel must stay quiet before the read ends.
PROMPT_QUIET_SECONDS = 0.1
# A command may run at most this many times command_timeout in all, however steadily it streams.
READ_CAP_FACTOR = 20
# Escape sequences a prompt line may start with (colour, erase line).
_LEADING_ESCAPES = r"(?:\x1b\[[0-9;?]*[A-Za-z])*"
_TERMINATORS = ">#%$]"
# A pager's prompt, as the whole last line: " --More-- ", "---(more 45%)---", "  ---- More ----",
# "<--- More --->", "-- MORE --, next page: Space, ...", "Press any key to continue", "--More-- or (q)uit".
PAGER = re.compile(
    r"^[\s\x08]*(?:\x1b\[[0-9;?]*[A-Za-z])*[\s\x08]*"
    r"(?:<?-+\s*\(?\s*more\b[^\n]{0,40}?-+>?(?:[^\n]{0,80})?|press\s+(?:any\s+key|<?space>?|return)\s+to\s+continue[^\n]{0,60})"
    r"\s*$", re.IGNORECASE)
# What a device sends to erase its pager prompt after the key: backspaces, spaces before them, cursor moves, CR.
_ERASURE = re.compile(r"^(?:\x08+| +(?=[\x08\x1b\r])|\x1b\[[0-9;]*[A-Za-z]|\r(?!\n))+")


def _stem_pattern(seen_prompt: str) -> Optional[str]:
    """The prompt the device showed, minus its terminator, as a regex; a configuration-state marker may change.

    VRP8's ``[~HUAWEI]`` reads ``[*HUAWEI]`` once something is uncommitted: the character after
    an opening bracket, when it is ``~`` or ``*``, matches either.
    """
    prompt = seen_prompt.strip()
    if len(prompt) < 2 or prompt[-1] not in _TERMINATORS:
        return None
    stem = re.escape(prompt[:-1].rstrip())
    return re.sub(r"^(\\\[|\[)(\\~|~|\\\*|\*)", r"\1[~*]", stem)


def prompt_pattern(base_prompt: str, seen_prompt: Optional[str] = None) -> re.Pattern[str]:
    """The prompt as the last line of what was read: at the start of a line, then nothing but blanks.

    Two shapes, either ends the read: the prompt the device showed (its stem, then any mode
    suffix and a terminator), and netmiko's base prompt with an optional ``<`` or ``[`` before
    it (platforms whose prompt carries a counter, such as EXOS ``host.7 #``). Anchored to
    the line start, a configuration line that merely contains the prompt's text
    ("description uplink to router1#") never matches.
    """
    shapes = [r"[<\[]?" + re.escape(base_prompt)]
    stem = _stem_pattern(seen_prompt) if seen_prompt else None
    if stem and stem not in shapes:
        shapes.insert(0, stem)
    return re.compile("\n" + _LEADING_ESCAPES + "(?:%s)" % "|".join(shapes) + r"[^\n]{0,64}[>#%$\]][ \t]*$")


def _ends_on_prompt(prompt: re.Pattern[str], tail: str, whole: bool) -> bool:
    """True when the text read so far ends with the prompt standing on a line of its own."""
    return prompt.search(("\n" if whole else "") + tail.replace("\r", "\n")) is not None


def _ended_before_prompt(ended: Callable[[str], Any], chunks: List[str]) -> bool:
    """True when the text before the prompt line already ends as a complete configuration does."""
    text = "".join(chunks).replace("\r", "\n").rstrip()
    body = text.rsplit("\n", 1)[0] if "\n" in text else ""
    return ended(body) is True


def _at_pager(tail: str) -> bool:
    """True when the last (unfinished) line of what was read is a pager's prompt."""
    last = tail.replace("\r\n", "\n").rsplit("\n", 1)[-1]
    return bool(last.strip(" \x08\r")) and PAGER.match(last) is not None


def _drop_pager(chunks: List[str]) -> None:
    """Remove the pager prompt (the unfinished last line) from what was read."""
    text = "".join(chunks)
    cut = text.rfind("\n") + 1
    chunks[:] = [text[:cut]]


def channel_closed(connection: Any) -> bool:
    """True when the session's channel (or its transport) is gone."""
    channel = getattr(connection, "remote_conn", None)
    if channel is None:
        return False
    transport = channel.get_transport() if hasattr(channel, "get_transport") else None
    return bool(getattr(channel, "closed", False) or getattr(channel, "eof_received", False)
                or (transport is not None and not transport.is_active()))


def read_command_output(connection: Any, command: str, timeout: float, ended: Optional[Callable[[str], Any]] = None,
                        seen_prompt: Optional[str] = None) -> str:
    """Send command and read until the prompt returns (see the module docstring); returns the output.

    The read ends on the prompt only when it stands on a line of its own after the output,
    and the channel then stays quiet for PROMPT_QUIET_SECONDS: a configuration line that
    looks like the prompt and happens to end one network read is followed at once by the
    rest of the output, while the real prompt is followed by silence. ``ended`` (the
    profile's end_found) spares that wait where the platform has an end marker: a prompt on
    its own line right after the configuration's proper end is the real prompt.
    """
    prompt = prompt_pattern(connection.base_prompt, seen_prompt or getattr(connection, "netraven_prompt", None))
    connection.write_channel(command + connection.RETURN)
    chunks: List[str] = []
    tail = ""
    length = 0
    started = last_data = time.monotonic()
    cap = started + timeout * READ_CAP_FACTOR
    quiet_until = None
    erase = False
    while True:
        data = connection.read_channel()
        if data:
            last_data = time.monotonic()
            if erase:
                data = _ERASURE.sub("", data)
                erase = bool(not data)
                if not data:
                    continue
            chunks.append(data)
            length += len(data)
            tail = (tail + data)[-512:]
            quiet_until = last_data + PROMPT_QUIET_SECONDS if _ends_on_prompt(prompt, tail, length <= 512) else None
            if quiet_until is not None and ended is not None and _ended_before_prompt(ended, chunks):
                break
            if quiet_until is None and _at_pager(tail):
                _drop_pager(chunks)
                tail = "".join(chunks)[-512:]
                connection.write_channel(" ")
                erase = True
            elif last_data > cap:
                raise AttemptError(ErrorType.TIMEOUT, "'%s' was still sending after %d s, the cap of %d x command_timeout"
                                   % (command, int(last_data - started), READ_CAP_FACTOR))
            continue
        now = time.monotonic()
        if quiet_until is not None and (now >= quiet_until or channel_closed(connection)):
            break
        if channel_closed(connection):
            raise AttemptError(ErrorType.TRUNCATED, "The session ended before the configuration was complete")
        if now - last_data > timeout:
            raise AttemptError(ErrorType.TIMEOUT, "No prompt within %s s after '%s' (the device went silent)" % (
                timeout, command))
        time.sleep(POLL_SECONDS)
    output = connection.normalize_linefeeds("".join(chunks))
    output = connection.strip_ansi_escape_codes(output)
    output = connection.strip_command(command, output)
    stripped: str = connection.strip_prompt(output)
    return stripped
