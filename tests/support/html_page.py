"""A page's HTML read the way the tests about its details need it: each text with the
language it is in (the nearest `lang`), its title, and its elements in document order."""

from html.parser import HTMLParser

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


class HtmlPage(HTMLParser):
    """`texts`: (text, language, tag) of every text node of the body; `elements`: (tag,
    attributes) of every element in document order; `title`: the <title>'s text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = None
        self.title = ""
        self.texts: list[tuple[str, str | None, str]] = []
        self.elements: list[tuple[str, dict]] = []
        self._open: list[tuple[str, str | None]] = []  # (tag, language inside it)
        self._in_body = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attrs))
        language = attrs.get("lang", self._open[-1][1] if self._open else None)
        if tag == "html":
            self.lang = language
        if tag == "body":
            self._in_body = True
        if tag not in VOID:
            self._open.append((tag, language))

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        text = " ".join(data.split())
        if not text or not self._open:
            return
        tag, language = self._open[-1]
        if tag == "title":
            self.title += text
        elif self._in_body and tag not in ("script", "style"):
            self.texts.append((text, language, tag))

    def languages_of(self, text: str) -> set:
        """The languages of the body's text nodes that hold `text`."""
        return {language for found, language, _tag in self.texts if text in found}

    def index_of(self, tag: str, **wanted) -> int:
        """The position in document order of the first `tag` whose attributes hold `wanted`
        (a class is matched as one of the element's classes); -1 if there is none."""
        for position, (name, attrs) in enumerate(self.elements):
            if name != tag:
                continue
            if all(
                value in attrs.get("class", "").split()
                if key == "class_"
                else attrs.get(key) == value
                for key, value in wanted.items()
            ):
                return position
        return -1

    def find_all(self, tag: str) -> list[dict]:
        """The attributes of every `tag` element."""
        return [attrs for name, attrs in self.elements if name == tag]
