"""A real browser for the UI tests: Debian's chromium, headless, driven by Playwright (no
browser download: Playwright is pointed at /usr/bin/chromium)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def need_chromium() -> str:
    """chromium's path; under CI a missing chromium fails, elsewhere the test is skipped."""
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required under CI (apt-get install chromium)")
        pytest.skip("chromium not installed (apt-get install chromium fonts-noto-cjk)")
    return CHROMIUM


@contextmanager
def browser_page(width: int = 1400, height: int = 1000, **context) -> Iterator:
    """A Playwright page in headless chromium."""
    from playwright.sync_api import sync_playwright

    path = need_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=True, args=FLAGS)
        try:
            page = browser.new_context(viewport={"width": width, "height": height}, **context)
            yield page.new_page()
        finally:
            browser.close()
