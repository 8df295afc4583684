"""Plain server-rendered HTML for the platform's UI pages: one page shell and a table. Every value
is escaped here, so page code passes raw strings and never builds markup from data itself."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from html import escape

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1f2933; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.8rem; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #d9e2ec; padding: 0.3rem 0.8rem; text-align: left; vertical-align: top;
         max-width: 40rem; overflow-wrap: anywhere; }
th { background: #f0f4f8; }
.empty { color: #627d98; font-style: italic; }
.bad { color: #b42318; font-weight: 600; } .good { color: #067647; }
ul.tree { list-style: none; padding-left: 1.2rem; margin: 0; } code { font-size: 0.9rem; }
"""


class Markup(str):
    """HTML that is already safe: inserted as is, where any other value is escaped."""


def text(value) -> Markup:
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("-")
    if isinstance(value, datetime):
        value = value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    return Markup(escape(str(value)))


def tag(name: str, content="", **attrs) -> Markup:
    """<name attrs>content</name>; `class_` stands for the class attribute."""
    rendered = "".join(f' {key.rstrip("_")}="{escape(str(value))}"' for key, value in attrs.items())
    return Markup(f"<{name}{rendered}>{text(content)}</{name}>")


def join(parts: Iterable) -> Markup:
    return Markup("".join(text(part) for part in parts))


def link(href: str, label) -> Markup:
    return tag("a", label, href=href)


def table(headers: list[str], rows: Iterable[Iterable], empty: str) -> Markup:
    """A table, or the `empty` sentence when there are no rows (an empty state, never a blank)."""
    body = [tag("tr", join(tag("td", cell) for cell in row)) for row in rows]
    if not body:
        return tag("p", empty, class_="empty")
    head = tag("tr", join(tag("th", h) for h in headers))
    return tag("table", join([tag("thead", head), tag("tbody", join(body))]))


def page(title: str, *sections) -> str:
    head = join([Markup('<meta charset="utf-8">'), tag("title", title), tag("style", Markup(STYLE))])
    return "<!doctype html>" + tag("html", join([tag("head", head), tag("body", join([tag("h1", title), *sections]))]))
