"""A page of the site read back as a person reads it: its visible text, its links, and the text
of each element with an id. Shared by the tests of the pages, the query page and the lists.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
BASE = "https://w3id.org/crossinnov/"


class Page(HTMLParser):
    """A page read back: its visible text, its links, and the text of each element with an id."""

    VOID = {"br", "img", "input", "link", "meta", "hr", "source", "wbr"}

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.markup = markup
        self.links: list[tuple[str, str]] = []
        self._chunks: list[str] = []
        self._open: list[tuple[str, str | None, int]] = []  # tag, id, start of its text
        self._anchor: tuple[str, int] | None = None
        self.by_id: dict[str, str] = {}
        self._skip = 0
        self.feed(markup)
        self.text = self._squeeze("".join(self._chunks))

    @staticmethod
    def _squeeze(text: str) -> str:
        return re.sub(r"\s+", " ", text).strip()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a" and attrs.get("href") is not None:
            self._anchor = (attrs["href"], len("".join(self._chunks)))
        if tag not in self.VOID:
            self._open.append((tag, attrs.get("id"), len("".join(self._chunks))))
        self._chunks.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        text = "".join(self._chunks)
        if tag == "a" and self._anchor:
            self.links.append((self._anchor[0], self._squeeze(text[self._anchor[1]:])))
            self._anchor = None
        while self._open:
            open_tag, id_, start = self._open.pop()
            if id_:
                self.by_id[id_] = self._squeeze(text[start:])
            if open_tag == tag:
                break
        self._chunks.append(" ")

    def handle_data(self, data):
        if not self._skip:
            self._chunks.append(data)

    def hrefs(self) -> list[str]:
        return [href for href, _ in self.links]

    def href_of(self, text: str) -> str:
        """Return the href of the (first) link whose text is ``text``."""
        for href, label in self.links:
            if label == text:
                return href
        raise AssertionError(f"no link {text!r} on the page")


def get_page(client, path: str, status: int = 200) -> Page:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return Page(response.get_data(as_text=True))


def assert_links_local(page: Page) -> None:
    """Links to resources of the graph go to this site; nothing links to the canonical base."""
    for href in page.hrefs():
        assert not href.startswith(BASE + "id/"), href
        assert not href.startswith(BASE + "scheme/"), href
    assert any(href.startswith("/id/") or href.startswith("/scheme/") for href in page.hrefs())
