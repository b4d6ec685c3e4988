"""The fonts reports are drawn with, shipped with the Python environment.

A machine with no CJK font at all still draws charts and converts reports to PDF: the
`pylopdf-fonts-zh-cn` package (SIL OFL 1.1) brings Noto Serif SC and Noto Sans SC. The DOCX keeps
the official GB/T 9704 names (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体, 宋体) for Word and WPS;
for LibreOffice (PDF) a fontconfig file maps them: 仿宋/宋体/小标宋 to a serif, 黑体 to a sans,
楷体 to AR PL UKai when installed — so body, headings and title do not come out in one face.
Fonts of the official names, when installed, still win.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

SERIF, SANS, KAI = "Noto Serif SC", "Noto Sans SC", "AR PL UKai CN"
# official name -> the families tried after it, best first
ALIASES = {
    "仿宋_GB2312": [
        "FangSong_GB2312",
        "仿宋",
        "FangSong",
        "FandolFang",
        "Noto Serif CJK SC",
        SERIF,
    ],
    "仿宋": ["FangSong", "FandolFang", "Noto Serif CJK SC", SERIF],
    "FangSong": ["FandolFang", "Noto Serif CJK SC", SERIF],
    "方正小标宋简体": ["FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", SERIF],
    "宋体": ["SimSun", "Noto Serif CJK SC", SERIF],
    "SimSun": ["Noto Serif CJK SC", SERIF],
    "黑体": ["SimHei", "Noto Sans CJK SC", SANS],
    "SimHei": ["Noto Sans CJK SC", SANS],
    "楷体_GB2312": ["KaiTi_GB2312", "楷体", "KaiTi", KAI, "AR PL UKai TW", SERIF],
    "楷体": ["KaiTi", KAI, SERIF],
    "KaiTi": [KAI, SERIF],
}


def shipped() -> dict[str, Path]:
    """{"serif": …, "sans": …}: the font files that come with the environment."""
    import pylopdf_fonts_zh_cn as fonts

    return {"serif": Path(fonts.serif_path()), "sans": Path(fonts.sans_path())}


def fonts_conf() -> Path:
    """A fontconfig file for LibreOffice: the machine's configuration (`FONTCONFIG_FILE` when
    set, else /etc/fonts/fonts.conf), the shipped fonts, the aliases."""
    base = os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"
    if "campaignflow-fonts-" in base:  # ours already (a nested conversion): not itself again
        base = "/etc/fonts/fonts.conf"
    return _fonts_conf(base)


@functools.cache
def _fonts_conf(base: str) -> Path:
    folder = Path(tempfile.gettempdir()) / f"campaignflow-fonts-{os.getuid()}"
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(base.encode()).hexdigest()[:12]
    dirs = sorted({str(p.parent) for p in shipped().values()})
    aliases = "\n".join(
        f'  <alias binding="same"><family>{name}</family><accept>'
        + "".join(f"<family>{f}</family>" for f in fallbacks)
        + "</accept></alias>"
        for name, fallbacks in ALIASES.items()
    )
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<!-- written by campaignflow.reports.fonts -->\n<fontconfig>\n"
        f'  <include ignore_missing="yes">{escape(base)}</include>\n'
        + "".join(f"  <dir>{d}</dir>\n" for d in dirs)
        + f"  <cachedir>{folder / 'cache'}</cachedir>\n{aliases}\n</fontconfig>\n"
    )
    path = folder / f"fonts-{digest}.conf"
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)  # another process may be writing the same file
    return path


@functools.cache
def chart_family() -> str:
    """The CJK family matplotlib draws charts with: the shipped sans, registered once."""
    from matplotlib import font_manager

    for path in shipped().values():
        font_manager.fontManager.addfont(str(path))
    return SANS
