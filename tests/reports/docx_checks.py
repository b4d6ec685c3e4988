"""Reading back a .docx the way Word resolves it: run, character style, paragraph style, defaults."""

from __future__ import annotations

from docx.oxml.ns import qn

THEMES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def rpr_chain(document, paragraph, run) -> list:
    """The `w:rPr` elements that format `run`, the one that wins first."""
    chain = [run._element.rPr]
    for style in (run.style, paragraph.style):
        while style is not None:
            chain.append(style.element.rPr)
            style = style.base_style
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        chain.extend(defaults.iter(qn("w:rPr")))
    return [rpr for rpr in chain if rpr is not None]


def effective_font(document, paragraph, index: int = 0) -> tuple[str, float, str, bool]:
    """(East Asian font, size in pt, East Asian language, bold) of the paragraph's run `index`.

    Fails when a theme font would override the explicit one (Word prefers w:eastAsiaTheme).
    """
    run = paragraph.runs[index]
    font = size = lang = bold = None
    for rpr in rpr_chain(document, paragraph, run):
        fonts = rpr.find(qn("w:rFonts"))
        if font is None and fonts is not None:
            assert all(fonts.get(qn(a)) is None for a in THEMES), fonts.attrib
            font = fonts.get(qn("w:eastAsia"))
        for tag, value in (("w:sz", size), ("w:lang", lang), ("w:b", bold)):
            element = rpr.find(qn(tag))
            if value is not None or element is None:
                continue
            if tag == "w:sz":
                size = int(element.get(qn("w:val"))) / 2
            elif tag == "w:lang":
                lang = element.get(qn("w:eastAsia"))
            else:
                bold = element.get(qn("w:val"), "1") not in ("0", "false", "off")
    return font, size, lang, bool(bold)
