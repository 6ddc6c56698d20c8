"""The corpus of real device captures (README.md beside this file): loading it, and what moves between reads.

Each ``<profile>/<device>.yml`` names the files that hold what one real device printed, the
commands each answers, the lines that hold secrets (the value between ``{{`` and ``}}``), text
no stored copy may hold, and the regexes of what differs between two reads of the device
without a configuration change (``moving``: the text of the group ``moving`` is shifted, every
digit and letter by the read's number; the text of a group ``gone`` disappears).  Unit tests
run each capture through its profile; integration tests serve it from the device lab.
"""

import os
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
_VALUE = re.compile(r"\{\{(.*?)\}\}")


@dataclass(frozen=True)
class Output:
    """One captured output: its file's text, the command it was captured with, the commands it answers."""

    file: str
    captured_with: str
    serves: Tuple[str, ...]
    text: str


@dataclass(frozen=True)
class SecretLine:
    """A line of the capture that holds secrets: as captured, its values, and the shape it must take masked."""

    line: str
    values: Tuple[str, ...]
    masked: "re.Pattern[str]"


@dataclass(frozen=True)
class Capture:  # pylint: disable=too-many-instance-attributes
    """One real device's outputs and what they hold."""

    name: str
    device_type: str
    device: str
    source: str
    licence: str
    outputs: Tuple[Output, ...]
    secrets: Tuple[SecretLine, ...]
    absent: Tuple[str, ...]
    moving: Tuple[str, ...]
    added: Tuple[str, ...]
    secrets_masked: Optional[int]

    def output(self, command: str) -> Optional[str]:
        """What the device printed for ``command`` (None when the capture does not hold it)."""
        return next((out.text for out in self.outputs if command in out.serves), None)

    def read(self, command: str, number: int) -> Optional[str]:
        """What the device prints for ``command`` at its ``number``-th read (0: the capture itself)."""
        text = self.output(command)
        return None if text is None else move(text, self.moving, number)

    def served(self, reads: int = 2) -> Dict[str, List[str]]:
        """The lab's ``outputs`` for this device: every command it answers, one text per read."""
        return {command: [move(out.text, self.moving, number) for number in range(reads)]
                for out in self.outputs for command in out.serves}

    def values(self) -> Tuple[str, ...]:
        """Every secret value of the capture."""
        return tuple(value for secret in self.secrets for value in secret.values)


def _shifted(text: str, step: int) -> str:
    out = []
    for char in text:
        if "0" <= char <= "9":
            out.append(chr(ord("0") + (ord(char) - ord("0") + step) % 10))
        elif "a" <= char <= "z" or "A" <= char <= "Z":
            base = ord("a") if char.islower() else ord("A")
            out.append(chr(base + (ord(char) - base + step) % 26))
        else:
            out.append(char)
    return "".join(out)


def move(text: str, moving: Tuple[str, ...], number: int) -> str:
    """``text`` as the device prints it at its ``number``-th read: moving parts shifted, gone parts removed."""
    if not number:
        return text
    for pattern in moving:
        text = re.sub(pattern, lambda match: _moved(match, number), text, flags=re.M)
    return text


def _moved(match: "re.Match[str]", number: int) -> str:
    whole, start = match.group(0), match.start(0)
    groups = match.re.groupindex
    if "gone" in groups:
        head, tail = match.start("gone") - start, match.end("gone") - start
        return whole[:head] + whole[tail:]
    if "moving" not in groups:
        return _shifted(whole, number)
    head, tail = match.start("moving") - start, match.end("moving") - start
    return whole[:head] + _shifted(match.group("moving"), number) + whole[tail:]


def _secret_line(template: str) -> SecretLine:
    template = template.rstrip()
    values = tuple(_VALUE.findall(template))
    parts = _VALUE.split(template)[::2]
    masked = re.compile("<secret[^>]*>".join(re.escape(part) for part in parts))
    return SecretLine(line=_VALUE.sub(lambda m: m.group(1), template), values=values, masked=masked)


def load(path: str) -> Capture:
    """One capture from its YAML file."""
    with open(path, encoding="utf-8") as stream:
        doc = yaml.safe_load(stream)
    folder = os.path.dirname(path)
    outputs = []
    for out in doc["outputs"]:
        with open(os.path.join(folder, out["file"]), encoding="utf-8") as stream:
            text = stream.read()
        outputs.append(Output(file=out["file"], captured_with=out["captured_with"], serves=tuple(out["serves"]),
                              text=text))
    name = os.path.relpath(path, HERE)[:-len(".yml")]
    return Capture(name=name, device_type=doc["device_type"], device=doc["device"], source=doc["source"],
                   licence=doc["licence"], outputs=tuple(outputs),
                   secrets=tuple(_secret_line(t) for t in doc.get("secrets") or ()),
                   absent=tuple(doc.get("absent") or ()), moving=tuple(doc.get("moving") or ()),
                   added=tuple(doc.get("added") or ()), secrets_masked=doc.get("secrets_masked"))


def load_all() -> List[Capture]:
    """Every capture of the corpus, in name order."""
    paths = sorted(os.path.join(root, name) for root, _dirs, names in os.walk(HERE)
                   for name in names if name.endswith(".yml"))
    return [load(path) for path in paths]
