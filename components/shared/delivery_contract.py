"""Names shared by the GitHub delivery resources and the workflow files that use them.

The workflows reference these secrets, variables and environments; the GitHub delivery component
creates exactly these. A test cross-checks both sides.
"""

from __future__ import annotations

# Actions secrets of the deploy environment (`staging` / `production`), IF-001 plus deploy credentials.
APP_SECRETS = ("FILTER_TO", "FUNCTION_ID", "ORGANISATION_ID")
DEPLOY_SECRETS = ("SUPABASE_ACCESS_TOKEN", "SUPABASE_DB_URL")

# Actions variables of the deploy environment: IF-002 feature flags and the app's URL.
FLAG_VARIABLES = ("NEXT_PUBLIC_USE_FUNCTIONS_ARCH", "ENABLE_FUNCTION_MONITORING", "FUNCTIONS_ROLLOUT_PERCENTAGE")
APP_URL_VARIABLE = "APP_URL"
DEPLOY_ROLE_VARIABLE = "AWS_DEPLOY_ROLE_ARN"  # only when settings grant a deploy role

# What both backup jobs publish their metrics under: the app's backup identity (also its key prefix in every
# tier), the stack's environment and the metric namespace.
BACKUP_METRIC_VARIABLES = ("BACKUP_APP", "BACKUP_ENVIRONMENT", "BACKUP_METRIC_NAMESPACE")

# The backup environment (`<env>-backup`): database URL secret, writer role and primary bucket.
BACKUP_SECRETS = ("SUPABASE_DB_URL",)
BACKUP_VARIABLES = ("BACKUP_BUCKET", "BACKUP_ROLE_ARN", "BACKUP_REGION", *BACKUP_METRIC_VARIABLES)

# The restore-drill environment (`<env>-restore-drill`): reader role and DR replica bucket; drill metrics go
# to the primary region (BACKUP_METRICS_REGION), where the alarms are.
RESTORE_VARIABLES = (
    "REPLICA_BUCKET",
    "RESTORE_ROLE_ARN",
    "REPLICA_REGION",
    "RTO_HOURS",
    "BACKUP_METRICS_REGION",
    *BACKUP_METRIC_VARIABLES,
)

# Files committed into each managed repository (by the stack whose `github.workflows.manage_files` is true).
WORKFLOW_FILES = (
    ".github/workflows/deploy-functions.yml",
    ".github/workflows/performance-tests.yml",
    ".github/workflows/backup.yml",
    ".github/workflows/restore-drill.yml",
)
ENV_EXAMPLE_FILE = ".env.example"

# The deploy workflow's test job: the required status check of branch protection.
TEST_JOB_CHECK = "test-functions"
