"""Turn an Oxidized model simulation (spec/model/data/*#simulation.yaml) into capture files.

Oxidized's simulation files hold what a real device printed for each command, in YAML block
scalars escaped as Ruby's String#dump (``\\x20``, ``\\"``, ``\\t``, ``\\e``, ``\\u00e9``). This
writes one command's output as the device printed it: the echoed command and the prompt that
follows are left out, line ends become newlines, nothing else changes.

    python tests/captures/_import_oxidized.py SIMULATION.yaml 'show running-config' OUT.txt

Test tooling: kept so that a capture can be imported again and checked against its source.
"""

import re
import sys

import yaml

_ESCAPE = re.compile(r'\\(x[0-9A-Fa-f]{2}|u\{[0-9A-Fa-f ]+\}|u[0-9A-Fa-f]{4}|[0-7]{1,3}|.)', re.S)
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "e": "\x1b", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "s": " "}


def undump(text):
    """Ruby's ``"...".undump`` of a simulation block scalar."""
    out = bytearray()
    pos = 0
    for match in _ESCAPE.finditer(text):
        out += text[pos:match.start()].encode("utf-8")
        code = match.group(1)
        if code[0] == "x":
            out.append(int(code[1:], 16))
        elif code.startswith("u{"):
            for point in code[2:-1].split():
                out += chr(int(point, 16)).encode("utf-8")
        elif code[0] == "u":
            out += chr(int(code[1:], 16)).encode("utf-8")
        elif code.isdigit():
            out.append(int(code, 8))
        else:
            out += _SIMPLE.get(code, code).encode("utf-8")
        pos = match.end()
    out += text[pos:].encode("utf-8")
    return out.decode("utf-8", "replace")


def output_of(path, command):
    """What the device printed for ``command``, without the echo and the next prompt."""
    with open(path, encoding="utf-8") as stream:
        document = yaml.safe_load(stream)
    commands = document["commands"]
    pairs = commands.items() if isinstance(commands, dict) else [next(iter(c.items())) for c in commands]
    text = next(undump(value or "") for key, value in pairs if key.strip() == command)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[0].strip() == command:
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and re.search(r"[#>$] ?$", lines[-1]) and not lines[-1].startswith((" ", "end", "}", "!", "#")):
        lines.pop()  # the prompt after the output
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":
    with open(sys.argv[3], "w", encoding="utf-8", newline="\n") as out:
        out.write(output_of(sys.argv[1], sys.argv[2]))
