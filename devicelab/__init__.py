"""devicelab: a simulated multi-vendor SSH network for tests, benchmarks and demos.

One process serves many devices (cisco_ios, arista_eos, juniper_junos), each
on its own loopback address, with realistic prompts, paging, configurations
with volatile lines, login records and injectable faults.  See README.md.

Not shipped in the collection: it is test and demo tooling.
"""

from . import records
from .faults import FAULT_NAMES, Faults
from .lab import DeviceInfo, Lab
from .process import LabProcess
from .records import LoginRecord
from .spec import Credential, DeviceSpec, LabSpec, generate, lab_from_data, load

__all__ = [
    "FAULT_NAMES", "Credential", "DeviceInfo", "DeviceSpec", "Faults", "Lab", "LabProcess",
    "LabSpec", "LoginRecord", "generate", "lab_from_data", "load", "records",
]
