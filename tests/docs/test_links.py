"""Relative links and anchors in README.md and docs/ lead somewhere (ops/doc_links.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops import doc_links
from tests.support.repository import REPO


def test_readme_and_docs_have_no_broken_relative_links() -> None:
    assert doc_links.check() == []


def test_readme_and_every_doc_is_checked() -> None:
    checked = {p.relative_to(REPO).as_posix() for p in doc_links.documents()}
    assert "README.md" in checked
    assert {"docs/cost.md", "docs/architecture.md"} <= checked


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Deploying for real", "deploying-for-real"),
        ("`ops plan`: the offline plan", "ops-plan-the-offline-plan"),
        ("Backups and DR (IF-009, IF-010)", "backups-and-dr-if-009-if-010"),
        ("Rotate a secret / token", "rotate-a-secret--token"),
        ("What it costs: 2.5 USD", "what-it-costs-25-usd"),
    ],
)
def test_slugs_follow_github(heading: str, anchor: str) -> None:
    assert doc_links.slug(heading) == anchor


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text(
        '# Guide\n\n## Set up\n\n## Set up\n\n<a id="custom"></a>\n\ntext\n', encoding="utf-8"
    )
    (tmp_path / "ops").mkdir()
    (tmp_path / "ops" / "tool.py").write_text("", encoding="utf-8")
    return tmp_path


def _readme(site: Path, body: str) -> list[str]:
    (site / "README.md").write_text(body, encoding="utf-8")
    return doc_links.check(site)


def test_good_links_pass(site: Path) -> None:
    body = (
        "[g](docs/guide.md) [a](docs/guide.md#set-up) [dup](docs/guide.md#set-up-1) [id](docs/guide.md#custom) "
        "[code](ops/tool.py) [dir](docs/) [web](https://example.com/x) [mail](mailto:a@b.c)\n\n"
        "## Here\n\n[self](#here)\n\n[ref]\n\n[ref]: docs/guide.md#guide\n"
    )
    assert _readme(site, body) == []


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("docs/missing.md", "no such file"),
        ("docs/guide.md#nowhere", "no heading or id `nowhere`"),
        ("docs/guide.md#set-up-2", "no heading or id `set-up-2`"),
        ("#not-here", "no heading or id `not-here`"),
        ("../outside.md", "points outside the repository"),
        ("ops/tool.py#L1", "not Markdown"),
    ],
)
def test_broken_links_are_reported_with_file_line_and_reason(site: Path, link: str, reason: str) -> None:
    problems = _readme(site, f"# Title\n\ntext\n\nsee [x]({link})\n")
    assert len(problems) == 1
    assert problems[0].startswith(f"README.md:5: {link}: ")
    assert reason in problems[0]


def test_links_in_code_are_not_links(site: Path) -> None:
    body = "# T\n\n```md\n[x](docs/missing.md)\n```\n\n`[y](docs/missing.md)`\n"
    assert _readme(site, body) == []


def test_a_broken_link_inside_docs_is_found_too(site: Path) -> None:
    (site / "docs" / "other.md").write_text("# Other\n\n[back](../README.md#nope)\n", encoding="utf-8")
    problems = _readme(site, "# Readme\n")
    assert problems == ["docs/other.md:3: ../README.md#nope: no heading or id `nope` in README.md"]
