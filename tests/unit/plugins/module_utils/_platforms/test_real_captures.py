"""Every real capture of tests/captures through its platform profile.

What a backup makes of the capture (the fact comments, then the configuration), read twice
with only the lines the device moves between reads moved: every secret line masked into its
expected shape, no secret value left anywhere, the configuration complete, and the same hash
both times (no second version). The session log's masker, fed the same text the way netmiko
writes it, masks the same values the same way.
"""

import os
import random
import re

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._backup._device_text import config_hash
from ansible_collections.netraven.netraven.plugins.module_utils._backup._session_log import open_session_log
from ansible_collections.netraven.netraven.plugins.module_utils._platforms import profile_for
from ansible_collections.netraven.netraven.tests.captures.corpus import load_all

KEY = b"capture-key-0123456789abcdef0123"
CAPTURES = load_all()


def _ids(captures):
    return [capture.name for capture in captures]


def _printed(profile, capture, number):
    """What the backup stores unmasked at the capture's ``number``-th read: fact comments, then the configuration."""
    facts = [capture.read(command, number) for command in profile.facts]
    config = capture.read(profile.commands[-1], number)
    assert config is not None, "%s serves no %r" % (capture.name, profile.commands[-1])
    block = profile.facts_block([fact for fact in facts if fact is not None]) if all(f is not None for f in facts) else ""
    return block + config, config


def _only_on_secret_lines(capture, value):
    """True when ``value`` appears in the capture as a secret value only (then it may appear nowhere once masked).

    A value that is also a word of the capture ("password" of RouterOS ``password=password``)
    is checked by the shape of its masked line only.
    """
    secret_lines = {secret.line for secret in capture.secrets}
    if any(value in part for secret in capture.secrets for part in secret.masked.pattern.split("<secret[^>]*>")):
        return False
    return all(value not in line or line.rstrip() in secret_lines
               for out in capture.outputs for line in out.text.split("\n"))


def test_the_corpus_covers_every_platform_with_a_published_capture():
    platforms = {profile_for(capture.device_type).name for capture in CAPTURES}
    assert platforms >= {"ios", "iosxr", "nxos", "asa", "eos", "junos", "fortios", "aoscx", "routeros", "procurve"}
    for capture in CAPTURES:
        assert capture.source.startswith("https://github.com/") and capture.licence, capture.name


@pytest.mark.parametrize("capture", CAPTURES, ids=_ids(CAPTURES))
def test_every_secret_line_is_in_the_capture(capture):
    lines = {line.rstrip() for out in capture.outputs for line in out.text.split("\n")}
    for secret in capture.secrets:
        assert secret.line in lines, secret.line


@pytest.mark.parametrize("capture", CAPTURES, ids=_ids(CAPTURES))
def test_the_stored_copy_masks_every_secret(capture):
    profile = profile_for(capture.device_type)
    output, config = _printed(profile, capture, 0)
    assert profile.is_complete(config), capture.name
    stored = profile.mask_secrets(output, KEY)
    stored_lines = [line.rstrip() for line in stored.split("\n")]
    for secret in capture.secrets:
        assert secret.line not in stored_lines, secret.line
        assert any(secret.masked.fullmatch(line) for line in stored_lines), (secret.line, secret.masked.pattern)
    for value in capture.values():
        if _only_on_secret_lines(capture, value):
            assert value not in stored, value
    for text in capture.absent:
        assert text not in stored, text


@pytest.mark.parametrize("capture", CAPTURES, ids=_ids(CAPTURES))
def test_a_second_read_with_only_its_moving_lines_moved_is_no_new_version(capture):
    profile = profile_for(capture.device_type)
    if capture.moving:
        reads = capture.served()
        assert any(texts[0] != texts[1] for texts in reads.values()), "%s: its moving lines did not move" % capture.name
    first, second = (profile.mask_secrets(_printed(profile, capture, n)[0], KEY) for n in (0, 1))
    assert config_hash(profile.normalise(first)) == config_hash(profile.normalise(second))


@pytest.mark.parametrize("capture", CAPTURES, ids=_ids(CAPTURES))
def test_the_session_log_masks_what_the_stored_copy_masks(tmp_path, capture):
    """netmiko writes what it reads in pieces of any size; the log's lines are the stored copy's lines."""
    profile = profile_for(capture.device_type)
    text = "\n".join(out.text for out in capture.outputs)
    stored = profile.mask_secrets(text, KEY)
    chunks = random.Random(capture.name)
    path = str(tmp_path / "device.log")
    log = open_session_log(path, profile.masker(KEY))
    sent = text.replace("\n", "\r\n").encode("utf-8")
    start = 0
    while start < len(sent):
        size = chunks.choice((1, 3, 7, 64, 4096))
        log.write(sent[start:start + size])
        start += size
    log.close()
    with open(path, encoding="utf-8") as stream:
        logged = stream.read()
    assert logged.rstrip("\n") == stored.rstrip("\n")
    for value in capture.values():
        if _only_on_secret_lines(capture, value):
            assert value not in logged, value
    assert os.stat(path).st_mode & 0o777 == 0o600


@pytest.mark.parametrize("capture", [c for c in CAPTURES if c.secrets_masked is not None],
                         ids=_ids([c for c in CAPTURES if c.secrets_masked is not None]))
def test_platform_check_counts_the_secrets_the_corpus_note_gives(tmp_path, capture):
    from ansible_collections.netraven.netraven.plugins.module_utils._platforms._check import check_output

    profile = profile_for(capture.device_type)
    saved = tmp_path / "capture.txt"
    saved.write_text(capture.output(profile.commands[-1]), encoding="utf-8")
    result = check_output(capture.device_type, str(saved))
    assert result["complete"] is True
    assert result["secrets_masked"] == capture.secrets_masked
    assert result["secrets_masked"] >= len(capture.values())
    assert not re.search(r"\{\{|\}\}", result["stored_text"])
