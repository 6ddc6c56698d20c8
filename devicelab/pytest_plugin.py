"""pytest fixtures for the device lab.

Enable with ``pytest_plugins = ["devicelab.pytest_plugin"]`` in the root
conftest.  Both fixtures are factories, so one test can start several labs
with different specs; every lab a test started is stopped at teardown, even
when the test fails.  Address blocks are locked per lab, so pytest-xdist
workers never collide.

``device_lab(specs=None, *, devices=3, port=None, record=False, **generate_kwargs)``
    An in-process :class:`devicelab.lab.Lab` (fast to start; shares the
    test's GIL).  ``specs`` is a list of device dicts/DeviceSpecs or a
    spec mapping; without it ``devices`` generated devices are used
    (``generate_kwargs`` go to :func:`devicelab.spec.generate`, e.g.
    ``platforms=["cisco_ios"]``, ``faults={"closed": 1}``).  ``record=True``
    also writes a JSONL record file (``lab.record_path``) under tmp_path.

``device_lab_process(specs=None, *, devices=None, port=None, **kwargs)``
    A :class:`devicelab.process.LabProcess` (``python -m devicelab`` child)
    with the same query API, for ansible-playbook runs and benchmarks.
"""

from __future__ import annotations

import pytest

from .lab import Lab
from .process import LabProcess
from .spec import generate


@pytest.fixture
def device_lab(tmp_path):
    """Factory fixture: ``lab = device_lab(specs)`` returns a running in-process Lab."""
    labs = []

    def factory(specs=None, *, devices=3, port=None, record=False, **generate_kwargs):
        if specs is None:
            specs = generate(devices, **generate_kwargs)
        record_path = None
        if record:
            record_path = record if isinstance(record, (str, bytes)) or hasattr(record, "__fspath__") \
                else tmp_path / f"devicelab-{len(labs)}-records.jsonl"
        lab = Lab(specs, port=port, record_path=record_path)
        labs.append(lab)
        return lab.start()

    yield factory
    for lab in labs:
        lab.stop()


@pytest.fixture
def device_lab_process(tmp_path):
    """Factory fixture: ``lab = device_lab_process(specs)`` returns a running LabProcess."""
    labs = []

    def factory(specs=None, *, devices=None, port=None, **kwargs):
        if specs is None and devices is None:
            devices = 3
        workdir = tmp_path / f"devicelab-process-{len(labs)}"
        lab = LabProcess(spec=specs, devices=devices, port=port, workdir=workdir, **kwargs)
        labs.append(lab)
        return lab.start()

    yield factory
    for lab in labs:
        lab.stop()
