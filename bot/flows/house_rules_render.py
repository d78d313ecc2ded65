"""The house rules as files for the website: a complete, accessible HTML page and Markdown.

The HTML page stands on its own: a language attribute, one ``h1``, a heading per section, lists
as lists, no scripts, no style sheets or fonts from elsewhere, and no link but the policy's own.
Every text is escaped (``html.escape``), and a link only leads to an http(s) address.
"""

from __future__ import annotations

import re
from html import escape as _escape

from bot.flows.house_rules import Block, Bullets, Heading, HouseRules, Inline, Link

_SAFE_URL = re.compile(r"https?://[^\s<>\"'`]+$", re.IGNORECASE)

def escape(text: str, quote: bool = False) -> str:
    """Text for the page: ``&``, ``<`` and ``>`` always; quotes only inside an attribute."""
    return _escape(text, quote=quote)


_STYLE = ("body{font-family:system-ui,sans-serif;line-height:1.5;max-width:42em;"
          "margin:2em auto;padding:0 1em;color:#1a1a1a}a{color:#0645ad}"
          "footer{margin-top:2em;font-style:italic}")


def to_html(rules: HouseRules) -> str:
    """A complete page, ready to publish."""
    lines = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(rules.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(rules.title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{escape(rules.title)}</h1>",
    ]
    for section in rules.sections:
        lines.append(f'<section id="{escape(section.id)}">')
        if section.title:
            lines.append(f"<h2>{escape(section.title)}</h2>")
        lines += [_html_block(block) for block in section.blocks]
        lines.append("</section>")
    lines += ["</main>", f"<footer><p>{_html_parts(rules.status.parts)}</p></footer>",
              "</body>", "</html>", ""]
    return "\n".join(lines)


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h3>{escape(block.text)}</h3>"
    if isinstance(block, Bullets):
        items = "".join(f"<li>{_html_parts(item.parts)}</li>" for item in block.items)
        return f"<ul>{items}</ul>"
    return f"<p>{_html_parts(block.parts)}</p>"


def _html_parts(parts: tuple[Inline, ...]) -> str:
    out = []
    for part in parts:
        if isinstance(part, Link) and _SAFE_URL.match(part.url):
            out.append(f'<a href="{escape(part.url, quote=True)}">{escape(part.label)}</a>')
        elif isinstance(part, Link):
            out.append(escape(part.label))
        else:
            out.append(escape(part))
    return "".join(out)


def to_markdown(rules: HouseRules) -> str:
    """The same text as Markdown, for a website that takes Markdown."""
    lines = [f"# {_md(rules.title)}", ""]
    for section in rules.sections:
        if section.title:
            lines += [f"## {_md(section.title)}", ""]
        for block in section.blocks:
            if isinstance(block, Heading):
                lines += [f"### {_md(block.text)}", ""]
            elif isinstance(block, Bullets):
                lines += [f"- {_md_parts(item.parts)}" for item in block.items] + [""]
            else:
                lines += [_md_parts(block.parts), ""]
    lines += ["---", "", f"*{_md_parts(rules.status.parts)}*", ""]
    return "\n".join(lines)


def _md_parts(parts: tuple[Inline, ...]) -> str:
    out = []
    for part in parts:
        if isinstance(part, Link) and _SAFE_URL.match(part.url):
            url = part.url.replace("(", "%28").replace(")", "%29")
            out.append(f"[{_md(part.label)}]({url})")
        else:
            out.append(_md(part.label if isinstance(part, Link) else part))
    return "".join(out)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|&!])")


def _md(text: str) -> str:
    """Text as Markdown shows it literally: its markup characters escaped, no raw HTML."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    # A line that starts like a list item or a numbered one stays text.
    return re.sub(r"^([-+]|\d+\.)(\s)", r"\\\1\2", escaped)
