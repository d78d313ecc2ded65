"""The report chart is a real PNG of the promised size, read back by two independent readers."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.flows.report import SENTIMENTS, buckets, period_of
from bot.flows.report_chart import HEIGHT, WIDTH, render_chart

ZONE = "Europe/Brussels"
LABELS = {s: s.capitalize() for s in SENTIMENTS}
SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunks(png: bytes):
    """The PNG's chunks, each CRC checked: (type, data)."""
    assert png[:8] == SIGNATURE
    offset = 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset:offset + 4])
        kind = png[offset + 4:offset + 8]
        data = png[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", png[offset + 8 + length:offset + 12 + length])
        assert zlib.crc32(kind + data) == crc, kind
        yield kind, data
        offset += 12 + length


def decode(png: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the unfiltered-length scanlines, with zlib and struct alone."""
    parts = list(chunks(png))
    assert parts[0][0] == b"IHDR" and parts[-1][0] == b"IEND"
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", parts[0][1])
    assert (depth, interlace) == (8, 0)
    channels = {2: 3, 6: 4}[colour]
    raw = zlib.decompress(b"".join(data for kind, data in parts if kind == b"IDAT"))
    stride = 1 + width * channels
    assert len(raw) == height * stride
    lines = [raw[i * stride:(i + 1) * stride] for i in range(height)]
    assert all(line[0] <= 4 for line in lines)  # a valid filter type on every scanline
    return width, height, lines


def week_chart(counts: list[tuple[int, str]]) -> bytes:
    period = period_of(date(2026, 11, 2), date(2026, 11, 8), ZONE)
    opened = [(datetime(2026, 11, 2 + day, 12, tzinfo=timezone.utc), sentiment)
              for day, sentiment in counts]
    return render_chart(buckets(period, opened, ZONE), title="Dossiers per dag", labels=LABELS,
                        axis_label="Dossiers", weekly=False)


def test_the_chart_is_a_png_of_the_expected_size():
    png = week_chart([(0, "negative"), (0, "neutral"), (3, "positive"), (6, "external")])
    width, height, _ = decode(png)
    assert (width, height) == (WIDTH, HEIGHT)


def test_matplotlibs_own_reader_reads_it_and_it_is_not_blank():
    from matplotlib import image

    png = week_chart([(1, "negative")] * 4 + [(2, "neutral")])
    pixels = image.imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (HEIGHT, WIDTH)
    negative = (0xD5 / 255, 0x5E / 255, 0x00 / 255)
    assert any(
        all(abs(pixel[i] - negative[i]) < 0.02 for i in range(3))
        for row in pixels[::5] for pixel in row[::5]
    ), "the negative bar's colour is drawn"


def test_an_empty_period_still_renders():
    width, height, _ = decode(week_chart([]))
    assert (width, height) == (WIDTH, HEIGHT)


def test_a_year_per_week_renders():
    # How long it takes is measured by `python -m bench` (the /rapport row), not here: other
    # threads of the test process make a CPU-time bound meaningless in the suite.
    period = period_of(date(2026, 1, 1), date(2026, 12, 31), ZONE)
    start = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
    opened = [(start + timedelta(hours=7 * i), SENTIMENTS[i % 5]) for i in range(1200)]
    rendered = render_chart(buckets(period, opened, ZONE), title="Dossiers per week",
                            labels=LABELS, axis_label="Dossiers", weekly=True)
    assert decode(rendered)[:2] == (WIDTH, HEIGHT)


def test_the_server_never_imports_pyplot():
    import subprocess
    import sys

    code = ("import sys, bot.flows.report_chart as c, bot.flows.report as r;"
            "c.render_chart((), title='t', labels={}, axis_label='a', weekly=False);"
            "print('matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
