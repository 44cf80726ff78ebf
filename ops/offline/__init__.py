"""Run a Pulumi Python program in-process under Pulumi's mock runtime and record everything it registers.

This is the one harness behind `python -m ops plan` and the test suite. It works for any Pulumi Python
program directory: it reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the CLI would (`run_config`), feeds
the config to the program, answers the provider calls a program makes (caller identity, region, partition,
IAM policy documents) with realistic values (`mock_account`, `policy_documents`), and records each resource with
its options (`recording_monitor`, `records`). `program_context` gives the program its directory, `runner` runs it.

Secrets: a `secure:` value in the stack file cannot be decrypted without the CLI, and a secret that
`Pulumi.yaml` declares may not be set at all. Both get a visible placeholder and stay marked secret (`secrets`).
"""

from components.shared.pulumi_internals import SECRET_SIG, SECRET_SIG_KEY

from .failures import ProgramError
from .mock_account import ACCOUNT_ID, OfflineMocks
from .policy_documents import policy_document_json
from .program_context import OWN_PACKAGES
from .recording_monitor import ROOT_STACK_TYPE, RecordingMonitor
from .records import Evaluation, RecordedResource
from .runner import evaluate
from .secrets import REDACTED, UNKNOWN, is_secret, redact_secrets, secret_strings, unwrap_secrets

__all__ = [
    "ACCOUNT_ID",
    "OWN_PACKAGES",
    "REDACTED",
    "ROOT_STACK_TYPE",
    "SECRET_SIG",
    "SECRET_SIG_KEY",
    "UNKNOWN",
    "Evaluation",
    "OfflineMocks",
    "ProgramError",
    "RecordedResource",
    "RecordingMonitor",
    "evaluate",
    "is_secret",
    "policy_document_json",
    "redact_secrets",
    "secret_strings",
    "unwrap_secrets",
]
