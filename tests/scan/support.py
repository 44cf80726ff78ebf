"""What the scan tests share: the resource types Checkov's mapping does not cover yet."""

from __future__ import annotations

# Types the available metadata has no entry for; they are scanned by nothing and reported as unmapped.
KNOWN_UNMAPPED = {"aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"}
