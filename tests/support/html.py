"""A small HTML reader for page tests (standard library only): elements by tag and attributes, their text,
and the form controls that have no label."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CONTROLS = {"input", "select", "textarea"}
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list["Element | str"] = field(default_factory=list)

    def find_all(self, tag: str, **attrs: str) -> list["Element"]:
        """Descendants named `tag` whose attributes hold `attrs` (`class_` matches one of the classes)."""
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if child.tag == tag and child.matches(attrs):
                    found.append(child)
                found += child.find_all(tag, **attrs)
        return found

    def find(self, tag: str, **attrs: str) -> "Element":
        matches = self.find_all(tag, **attrs)
        assert len(matches) == 1, f"{len(matches)} <{tag} {attrs}> elements"
        return matches[0]

    def matches(self, attrs: dict[str, str]) -> bool:
        for name, value in attrs.items():
            if name == "class_":
                if value not in self.attrs.get("class", "").split():
                    return False
            elif self.attrs.get(name.replace("_", "-")) != value:
                return False
        return True

    @property
    def text(self) -> str:
        """The text inside, with whitespace collapsed."""
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join(" ".join(parts).split())


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v if v is not None else "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def unlabelled_controls(document: Element) -> list[Element]:
    """Visible form controls with neither a <label for>, a wrapping <label>, nor an aria-label."""
    labelled_ids = {label.attrs["for"] for label in document.find_all("label") if "for" in label.attrs}
    wrapped = {
        id(control) for label in document.find_all("label") for tag in CONTROLS for control in label.find_all(tag)
    }
    return [
        control
        for tag in CONTROLS
        for control in document.find_all(tag)
        if control.attrs.get("type") not in UNLABELLED_TYPES
        and control.attrs.get("id") not in labelled_ids
        and id(control) not in wrapped
        and not control.attrs.get("aria-label")
    ]
