"""DOCX -> PDF with LibreOffice headless, when it is installed.

Each process converts with its own LibreOffice profile (two conversions sharing one profile
block each other), and with `fonts.fonts_conf()`, which adds the fonts shipped with the Python
environment and maps the official font names (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, 宋体)
to the best free substitutes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import EXIT_FAILURE, CampaignflowError

INSTALL_HINT = "未安装 LibreOffice：sudo apt-get install --no-install-recommends libreoffice-writer-nogui（或 .ci/install-system-deps）"
TIMEOUT = 120


class PdfError(CampaignflowError, RuntimeError):
    """LibreOffice ran but produced no PDF."""

    exit_code = EXIT_FAILURE


def find_soffice() -> str | None:
    """The LibreOffice executable, or None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def _profile() -> Path:
    """One LibreOffice profile per process (kept for the process's later conversions)."""
    folder = Path(tempfile.gettempdir()) / f"campaignflow-lo-{os.getuid()}-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def docx_to_pdf(docx: Path, pdf: Path | None = None, *, soffice: str | None = None) -> Path:
    """Convert `docx` to PDF beside it (or to `pdf`); raises PdfError when nothing came out."""
    soffice = soffice or find_soffice()
    if soffice is None:
        raise PdfError(INSTALL_HINT)
    pdf = pdf or docx.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="campaignflow-pdf-") as out:
        from .fonts import fonts_conf

        env = {**os.environ, "FONTCONFIG_FILE": str(fonts_conf()), "SAL_USE_VCLPLUGIN": "svp"}
        cmd = [
            soffice,
            f"-env:UserInstallation={_profile().as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            out,
            str(docx),
        ]
        try:
            done = subprocess.run(
                cmd,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise PdfError(f"LibreOffice 转换 {docx.name} 超时（{TIMEOUT} 秒）") from None
        produced = Path(out) / (docx.stem + ".pdf")
        if not produced.is_file():
            raise PdfError(
                f"LibreOffice 未能转换 {docx.name}：{(done.stderr or done.stdout).strip()[:500]}"
            )
        pdf.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(produced), pdf)
    return pdf
