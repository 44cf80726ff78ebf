"""Broken relative links and anchors in README.md and docs/, found with markdown-it-py (CommonMark).

A link is checked when it is relative: its file must exist inside the repository, and its `#anchor` must be
a heading of the target Markdown file (GitHub's slugs: lowercase, punctuation dropped, spaces to `-`, a
repeated heading gets `-1`, `-2`, ...) or an explicit `id`/`name` attribute there. Links inside code are not
links, so they are not checked. External links (`https:`, `mailto:`) are left alone: checking them needs
the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

REPO_ROOT = Path(__file__).resolve().parent.parent
_PARSER = MarkdownIt("commonmark", {"html": True}).enable("table")
_HTML_ID = re.compile(r"""\b(?:id|name)\s*=\s*["']([^"']+)["']""")


def documents(root: Path = REPO_ROOT) -> list[Path]:
    """README.md and every Markdown file under docs/."""
    return [root / "README.md", *sorted((root / "docs").rglob("*.md"))]


def slug(text: str) -> str:
    """GitHub's anchor for a heading's text."""
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _plain(inline: Token) -> str:
    return "".join(t.content for t in inline.children or [] if t.type in ("text", "code_inline", "html_inline"))


@cache
def anchors(path: Path) -> frozenset[str]:
    """Every anchor a Markdown file offers: heading slugs (deduplicated as GitHub does) and HTML ids."""
    tokens = _PARSER.parse(path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    found: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            base = slug(_plain(tokens[index + 1]))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        if token.type in ("html_block", "html_inline") or token.children:
            for part in [token, *(token.children or [])]:
                if part.type in ("html_block", "html_inline"):
                    found.update(_HTML_ID.findall(part.content))
    return frozenset(found)


def links(path: Path) -> Iterator[tuple[int, str]]:
    """(line, target) of every link and image in a Markdown file, outside code."""
    for block in _PARSER.parse(path.read_text(encoding="utf-8")):
        line = block.map[0] + 1 if block.map else 0
        for token in block.children or []:
            target = token.attrs.get("href") if token.type == "link_open" else token.attrs.get("src")
            if token.type in ("link_open", "image") and isinstance(target, str):
                yield line, target


def problems(path: Path, root: Path = REPO_ROOT) -> list[str]:
    """`file:line: link: reason` for each broken relative link of one file."""
    found: list[str] = []
    for line, target in links(path):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            continue
        where = f"{path.relative_to(root)}:{line}: {target}"
        file = path if not parts.path else (path.parent / unquote(parts.path)).resolve()
        if not file.is_relative_to(root.resolve()):
            found.append(f"{where}: points outside the repository")
            continue
        if not file.exists():
            found.append(f"{where}: no such file")
            continue
        if parts.fragment:
            if file.is_dir() or file.suffix != ".md":
                found.append(f"{where}: an anchor on a file that is not Markdown")
            elif unquote(parts.fragment) not in anchors(file):
                found.append(f"{where}: no heading or id `{parts.fragment}` in {file.relative_to(root.resolve())}")
    return found


def check(root: Path = REPO_ROOT) -> list[str]:
    """Every broken relative link of README.md and docs/."""
    anchors.cache_clear()
    return [problem for path in documents(root) if path.exists() for problem in problems(path, root)]
