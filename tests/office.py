"""The office suite as the reader: LibreOffice converts office files (a workbook now, a Word document as well)
and poppler reads back what a printed page shows, word by word with its box. The Makefile's `office` target
installs what they need from Debian's packages.

    pdfs = convert([workbook, document], out_dir)          # one soffice start for all of them
    pages = pdf_pages(pdfs[0])                              # [Page(number, width, height, words)]
    assert not overlapping(pages[0].words)
"""

import os
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

CONVERT_TIMEOUT = 300  # seconds; a first start of soffice takes a few


def missing() -> list[str]:
    """What the conversion lacks on this machine: the programs, and Carlito (Calibri's metrics, so that the
    workbook's text takes the room it takes in Excel)."""
    lacking = [tool for tool in ("soffice", "pdftotext", "fc-match") if shutil.which(tool) is None]
    if "fc-match" not in lacking:
        font = subprocess.run(["fc-match", "-f", "%{family}", "Calibri"], capture_output=True, text=True).stdout
        if "Carlito" not in font:
            lacking.append("Carlito")
    return lacking


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    width: float  # points
    height: float
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        """The page's words in pdftotext's reading order, separated by single spaces."""
        return " ".join(w.text for w in self.words)


def convert(paths: list[Path], out_dir: Path, to: str = "pdf") -> list[Path]:
    """Have LibreOffice convert every file in one run (its start is the slow part); returns the converted files
    in the order given. `to` is soffice's --convert-to argument: "pdf", "xlsx", "ods", "docx" ...

    soffice gets a profile and a HOME of its own in a fresh directory, so that it writes nowhere else and never
    meets another instance's lock."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="soffice-") as profile:
        result = subprocess.run(
            ["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
             "--convert-to", to, "--outdir", str(out_dir), *map(str, paths)],
            capture_output=True, text=True, timeout=CONVERT_TIMEOUT, env={**os.environ, "HOME": profile},
        )
    extension = to.split(":")[0]
    converted = [out_dir / f"{Path(p).stem}.{extension}" for p in paths]
    output = result.stdout + result.stderr
    failed = [Path(p).name for p, c in zip(paths, converted) if not c.exists() or f" -> {c} " not in output]
    if result.returncode != 0 or failed or "Error" in output:
        raise RuntimeError(f"soffice did not convert {', '.join(failed) or 'everything'}: {output}")
    return converted


def pdf_pages(pdf: Path) -> list[Page]:
    """Every page's words with their boxes (points, origin top left), from the PDF's text layer."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    namespace = {"x": "http://www.w3.org/1999/xhtml"}
    pages = []
    for number, page in enumerate(ET.fromstring(xhtml).iterfind(".//x:page", namespace), start=1):
        words = tuple(
            Word(w.text or "", *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
            for w in page.iterfind("x:word", namespace)
        )
        pages.append(Page(number, float(page.get("width")), float(page.get("height")), words))
    return pages


def overlapping(words: tuple[Word, ...] | list[Word], share: float = 1 / 3) -> list[tuple[Word, Word]]:
    """Pairs of words drawn over each other: their boxes meet across by more than half a point, and down by
    more than `share` of the smaller box's height. (The boxes of two lines of one paragraph overlap a little,
    since a font's box is taller than its line spacing; text drawn over other text, at whatever offset, always
    has some pair of lines nearer than half a line.)"""
    ordered = sorted(words, key=lambda w: w.y0)
    pairs = []
    for index, word in enumerate(ordered):
        for other in ordered[index + 1:]:
            if other.y0 >= word.y1:
                break
            across = min(word.x1, other.x1) - max(word.x0, other.x0)
            down = min(word.y1, other.y1) - max(word.y0, other.y0)
            if across > 0.5 and down > share * min(word.height, other.height):
                pairs.append((word, other))
    return pairs


def unbroken(text: str) -> str:
    """The text without its spaces and line breaks: to find a text on a page however its lines were broken
    (a word too long for its cell is broken inside)."""
    return "".join(text.split())
