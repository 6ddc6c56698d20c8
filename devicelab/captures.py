"""Real device outputs served verbatim (``outputs`` in a device's spec).

A profile is only as good as the outputs it was tried on, and the lab's own configurations
print what its authors expected.  A device given ``outputs`` (command -> the text a real
device printed, see ``tests/captures/README.md``) answers those commands with that text,
exactly, on top of its platform's prompts, set-up answers and errors.  A command may map to
a list of texts: the first fetch gets the first, the next fetch the next, and so on (the
last one stays), so a test decides what moves between two reads of the device.
"""

from __future__ import annotations

import threading


def _command(line):
    return " ".join(line.split())


class CaptureOutputs:
    """The outputs one device serves; thread-safe (the loop serves, tests read ``fetches``)."""

    def __init__(self, outputs):
        self._outputs = {_command(command): (text,) if isinstance(text, str) else tuple(text)
                         for command, text in dict(outputs).items()}
        self._lock = threading.Lock()
        self.fetches = {command: 0 for command in self._outputs}

    def knows(self, line):
        """True when ``line`` is a command this device serves from its capture."""
        return _command(line) in self._outputs

    def render(self, line):
        """The capture's text for ``line`` at this fetch."""
        command = _command(line)
        with self._lock:
            step = self.fetches[command]
            self.fetches[command] = step + 1
        texts = self._outputs[command]
        return texts[min(step, len(texts) - 1)]
