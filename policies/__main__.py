"""Entry point of the policy pack: `pulumi preview --policy-pack policies` runs this with policies/ as the cwd.

Constructing PolicyPack starts the gRPC analyzer server and blocks, so this is the only module that does it;
tests and `python -m ops plan` import policies.catalog instead.
"""

import sys
from pathlib import Path

# The engine runs this file from policies/; the rule modules are imported as the `policies` package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.catalog import ALL_POLICIES, PACK_NAME

PolicyPack(
    name=PACK_NAME,
    policies=ALL_POLICIES,
    enforcement_level=EnforcementLevel.ADVISORY,
    description="Security, data-safety and cost rules for the functions-platform stacks (S3, KMS, SNS, "
    "CloudWatch, IAM, Cloudflare edge, GitHub delivery, tags).",
)
