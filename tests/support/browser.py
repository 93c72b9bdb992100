"""Debian's Chromium for the browser tests, launched the same way everywhere: headless, no
sandbox (tests run as root), nothing fetched in the background (updates, sync, QUIC probes)."""

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def launch(playwright):
    """A Chromium browser (playwright's sync API object) with the tests' flags."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
