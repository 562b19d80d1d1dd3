"""The HTML report rendered by a real headless Chromium: a screenshot at 1280 px and the DOM
after rendering. Skipped when no Chromium is installed (.ci/run installs Debian's ``chromium``).

Set ``ASGICHECK_SCREENSHOTS=DIR`` to keep the screenshots (for a CI artifact, or to look).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from _report_runs import Page, Run

CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome",
              "google-chrome-stable")
WIDTH, HEIGHT = 1280, 2000


def _chromium() -> str:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no chromium binary found (on Debian: apt-get install -y chromium)")


def render(report: Path, screenshot: Path, profile: Path) -> str:
    """Screenshot ``report`` into ``screenshot`` and return the DOM after rendering."""
    done = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", f"--screenshot={screenshot}",
         "--dump-dom", f"--window-size={WIDTH},{HEIGHT}", report.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    keep = os.environ.get("ASGICHECK_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, Path(keep) / screenshot.name)
    return done.stdout


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_chromium_renders_the_failing_report(failing_run: Run, tmp_path: Path) -> None:
    screenshot = tmp_path / "asgicheck-failing.png"
    dom = Page(render(failing_run.html_path, screenshot, tmp_path / "profile"))
    assert png_size(screenshot) == (WIDTH, HEIGHT)
    assert screenshot.stat().st_size > 50_000  # a page of text and colour, not a blank sheet
    (_, verdict), = dom.find("section", "verdict failed")
    assert "FAILED" in verdict
    assert dom.find("table", "totals") and dom.find("table", "matrix")
    marked = [row for _, row in dom.find("tr", "sent offending")]
    assert any("http.response.start" in row and "HTTP-SEND-008" in row for row in marked)
    badges = [text for _, text in dom.find("span", "badge rule failed")]
    assert "HTTP-SEND-008" in badges
    assert not dom.find("script")  # the app's <script> stayed text after parsing


def test_chromium_renders_the_passing_report(passing_run: Run, tmp_path: Path) -> None:
    screenshot = tmp_path / "asgicheck-passing.png"
    dom = Page(render(passing_run.html_path, screenshot, tmp_path / "profile"))
    assert png_size(screenshot) == (WIDTH, HEIGHT)
    (_, verdict), = dom.find("section", "verdict passed")
    assert "PASSED" in verdict
    assert dom.find("table", "matrix") and not dom.find("tr", "offending")
