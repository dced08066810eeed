"""Render a page in a real headless browser (Debian's chromium) and read the resulting DOM."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def rendered_dom(page: Path) -> str:
    """The DOM of ``page`` after its own script ran, as chromium serialises it."""
    if not Path(CHROMIUM).exists():
        raise AssertionError(
            "chromium is needed to render the HTML report: apt-get install -y chromium "
            "chromium-driver (.ci/run does it)"
        )
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--dump-dom",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


@dataclass
class Dom(HTMLParser):
    """Every element of a document with its attributes and its own text."""

    elements: list[Element] = field(default_factory=list)
    _open: list[Element] = field(default_factory=list)

    def __post_init__(self) -> None:
        HTMLParser.__init__(self)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {key: value or "" for key, value in attrs})
        self.elements.append(element)
        if tag not in {"br", "meta", "link", "img", "input", "hr"}:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].text += data

    def by_class(self, name: str) -> list[Element]:
        return [element for element in self.elements if name in element.classes]

    def by_tag(self, tag: str) -> list[Element]:
        return [element for element in self.elements if element.tag == tag]


def parse(text: str) -> Dom:
    dom = Dom()
    dom.feed(text)
    dom.close()
    return dom


def assert_self_contained(text: str) -> None:
    """No remote script, style, font or image: nothing the page would fetch."""
    dom = parse(text)
    for element in dom.elements:
        for name in ("src", "href"):
            value = element.attrs.get(name, "")
            assert not value.startswith(("http:", "https:", "//")), (element.tag, value)
        assert element.tag != "link", element.attrs
    assert "@import" not in text
    assert "url(" not in text
