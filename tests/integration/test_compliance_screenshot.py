"""The compliance page and the job report's compliance section, looked at in headless Chromium.

A real database (SQLite) holds devices whose hostnames, and rules whose names and description,
carry HTML and script. The compliance core writes its page, a job's finish writes its report;
Chromium renders both to PNG: the test decodes the pixels and finds the colours a person sees
(the red of a failing cell and of a missing line, the green of a passing cell), and the DOM
proves that every hostile string stayed text and no script ran.
"""

import os
import shutil
import struct
import zlib

import pytest
import sqlalchemy as sa

from test_report_screenshot import chromium, headless, png_size  # noqa: F401 pylint: disable=import-error,unused-import

from ansible_collections.netraven.netraven.plugins.module_utils._compliance._run import run_compliance
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Device, DeviceConfiguration
from ansible_collections.netraven.netraven.plugins.module_utils._jobs import _lifecycle
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._report import write_report

pytestmark = pytest.mark.slow

EVIL_HOST = "<script>document.title='pwned'</script>"
EVIL_RULE = "<img src=x onerror=\"document.title='pwned'\">"
SCREENSHOT_COPY_ENV = "NETRAVEN_COMPLIANCE_SCREENSHOT"
IOS = ("hostname {host}\n!\nip ssh version 2\n{http}!\ninterface GigabitEthernet0/1\n switchport mode access\n"
       " spanning-tree portfast\n!\ninterface GigabitEthernet0/2\n switchport mode access\n!\n"
       "line vty 0 4\n transport input ssh\n!\nntp server 192.0.2.123\nend\n")
RULES = [
    {"name": "ssh-version-2", "must_contain": "^ip ssh version 2$"},
    {"name": "no-http-server", "must_not_contain": "^ip http server"},
    {"name": "access-ports-portfast", "section": "^interface Gi", "section_having": "^switchport mode access$",
     "must_contain": "^spanning-tree portfast"},
    {"name": EVIL_RULE, "description": "<b>bold?</b>", "match": "ntp server", "intended": ["ntp server 192.0.2.123"]},
]
RED_BACKGROUND = (0xFE, 0xE2, 0xE2)
GREEN_BACKGROUND = (0xF0, 0xFD, 0xF4)


def png_pixels(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA PNG, decoded with zlib alone."""
    with open(path, "rb") as stream:
        data = stream.read()
    width, height = struct.unpack(">II", data[16:24])
    depth, colour = data[24], data[25]
    assert depth == 8 and colour in (2, 6), "8-bit RGB(A) expected"
    channels = 3 if colour == 2 else 4
    position, chunks = 8, []
    while position < len(data):
        length = struct.unpack(">I", data[position:position + 4])[0]
        kind = data[position + 4:position + 8]
        if kind == b"IDAT":
            chunks.append(data[position + 8:position + 8 + length])
        position += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, channels)])
        previous = line
    return width, height, rows


def count_colour(rows, colour, tolerance=3):
    return sum(1 for row in rows for pixel in row if all(abs(a - b) <= tolerance for a, b in zip(pixel, colour)))


@pytest.fixture
def pages(db_url, encryption_key, tmp_path):
    """The compliance page and a job report with its compliance section, from a real database."""
    engine = create_db_engine(db_url)
    try:
        with engine.begin() as connection:
            for number, (host, http) in enumerate((("core-sw1", ""), ("edge-sw2", "ip http server\n"),
                                                   (EVIL_HOST, "")), start=1):
                connection.execute(sa.insert(Device).values(id=number, hostname=host, ip_address="192.0.2.%d" % number,
                                                            device_type="cisco_ios"))
                connection.execute(sa.insert(DeviceConfiguration).values(
                    device_id=number, config_data=IOS.format(host="sw%d" % number, http=http), data_hash="h%d" % number))
        job = _lifecycle.start_job(engine, lambda: secret_box_for(engine), name="nightly",
                                   hostnames=["core-sw1", "edge-sw2", EVIL_HOST])
        result = run_compliance(engine, {"rules": RULES, "job_id": job["job_id"],
                                         "report_path": str(tmp_path / "compliance.html")})
        finished = _lifecycle.finish_job(engine, job["job_id"], close_pending=True)
        report = write_report(str(tmp_path / "job.html"), finished["summary"])
    finally:
        engine.dispose()
    assert result["summary"]["non_compliant"] == 4, result["summary"]
    return result["report_path"], report


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_compliance_page_and_report_render_in_chromium(chromium, pages, tmp_path):  # noqa: F811
    page, report = pages
    doms = {}
    for name, path in (("page", page), ("report", report)):
        screenshot = tmp_path / ("%s.png" % name)
        run = headless(chromium, tmp_path, "--screenshot=%s" % screenshot, "--window-size=1200,1600", "file://" + path)
        assert run.returncode == 0 and screenshot.exists(), run.stderr[-2000:]
        assert png_size(str(screenshot)) == (1200, 1600)
        if os.environ.get(SCREENSHOT_COPY_ENV):
            shutil.copyfile(str(screenshot), "%s-%s.png" % (os.environ[SCREENSHOT_COPY_ENV], name))
        _width, _height, rows = png_pixels(str(screenshot))
        # What a person sees: failing results in red (the matrix's cells, the report's pill), passing ones in green.
        assert count_colour(rows, RED_BACKGROUND) > 500, name
        if name == "page":
            assert count_colour(rows, GREEN_BACKGROUND) > 500, "passing cells of the matrix"

        dom = headless(chromium, tmp_path, "--dump-dom", "file://" + path)
        assert dom.returncode == 0, dom.stderr[-2000:]
        text = dom.stdout
        assert "pwned</title>" not in text, "no injected script ran"
        assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in text
        assert "<img" not in text and "<script" not in text and "<b>bold?</b>" not in text
        assert "- ^spanning-tree portfast" in text and "+ ip http server" in text
        doms[name] = text
    assert "<title>NetRaven compliance: 66.7% compliant</title>" in doms["page"]
    assert "section: interface GigabitEthernet0/2" in doms["page"]
    assert "<th>Compliance</th>" in doms["report"] and "NON_COMPLIANT" in doms["report"]
