"""Every `pulumi config set --secret` the repository shows (docs, comments, messages) leaves the value off the
command line: the CLI prompts for it or reads standard input, so it never reaches shell history or `ps`."""

from __future__ import annotations

import re

import pytest

from tests.support.repository import REPO, tracked_text_files

COMMAND = re.compile(r"config set --secret\b([^`#;)\n\"',]*)")
EXPRESSION = re.compile(r"\{[^}]*\}?")  # an f-string or template placeholder stands for one word
FLAGS_WITH_VALUE = {"--stack", "-s", "--config-file"}


def values_on_the_command_line(text: str) -> list[str]:
    """The `config set --secret` invocations in `text` that pass a value after the key."""
    found = []
    for match in COMMAND.finditer(text):
        words = EXPRESSION.sub("KEY", match.group(1).split(": ", 1)[0]).split()
        rest: list[str] = []
        skip = False
        for word in words:
            if skip:
                skip = False
            elif word in FLAGS_WITH_VALUE:
                skip = True
            elif not word.startswith("-"):
                rest.append(word)
        if len(rest) > 1:
            found.append(match.group(0).strip())
    return found


def test_no_doc_comment_or_message_shows_a_secret_value_on_the_command_line() -> None:
    # Everything a user reads: README, docs/, stack and project files, and the program's own messages.
    found = [
        f"{path.relative_to(REPO)}: {hit}"
        for path in tracked_text_files()
        if path.relative_to(REPO).parts[0] != "tests" and path.suffix in {".md", ".py", ".yaml", ".yml", ".json", ".sh"}
        for hit in values_on_the_command_line(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert found == []


@pytest.mark.parametrize(
    "text",
    [
        "pulumi config set --secret github_token <token>",
        "pulumi config set --secret --stack prod filter_to abc123",
        "run `pulumi config set --secret key <value>`",
    ],
)
def test_a_value_after_the_key_is_caught(text: str) -> None:
    assert values_on_the_command_line(text)


@pytest.mark.parametrize(
    "text",
    [
        "pulumi config set --secret --stack staging github_token",
        'pulumi config set --secret --stack production "$key"    # prompts',
        "run `pulumi config set --secret key` (it prompts for the value)",
        "`pulumi config set --secret <key>`, which prompts",
        "f\"run `pulumi config set --secret {full_key.split(':', 1)[1]}` instead\"",
    ],
)
def test_a_key_alone_passes(text: str) -> None:
    assert values_on_the_command_line(text) == []
