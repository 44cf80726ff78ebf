"""backup.yml (IF-009): Supabase dumps to the primary backup bucket through the app's OIDC writer role.

A full dump (roles, schema, data) daily at 02:00 UTC goes to `daily/<app>/`, and also to `weekly/<app>/` on
Sundays and `monthly/<app>/` on the 1st; a data-only dump goes to `incremental/<app>/` at the cadence the RPO
design derives (`backup.dumps`; Postgres logical dumps have no true increments: this is the cheaper, more
frequent dump). `<app>` is the repository's backup identity (`BACKUP_APP`). Each archive has its sha256 beside
it, S3 verifies a SHA-256 checksum of every upload, and only then does the job publish its freshness metrics.

The file is committed once and runs every environment's job; its incremental schedule is the cadence of the
stack that commits it. An environment whose own settings need a finer cadence sees its freshness alarm fire.
"""

from __future__ import annotations

from typing import Any

from components.backup.freshness import BACKUP_COMPLETED, BACKUP_DURATION
from components.github.oidc import backup_environment
from components.settings.backup import BackupSettings
from components.settings.github import GitHubSettings
from components.shared.delivery_contract import BACKUP_SECRETS

from .actions import uses
from .common import BASH_DEFAULTS, NO_PERMISSIONS, RUNNER, aws_credentials, expr, script, secret, var

FILE_NAME = "backup.yml"
FULL_CRON = "0 2 * * *"  # IF-009 schedule.full: daily at 02:00 UTC
ENVIRONMENTS = ("staging", "production")

# The metric variables arrive from the environment; they go into S3 keys and CloudWatch dimension shorthand,
# so a value outside these characters stops the job before it writes anywhere.
CHECK_METRIC_VARIABLES = (
    'if ! [[ "${BACKUP_APP:-}" =~ ^[a-z0-9._-]{1,100}$ ]] || [ "${BACKUP_APP}" = . ] || [ "${BACKUP_APP}" = .. ]; then',
    '  echo "::error::BACKUP_APP is not a backup identity"; exit 1',
    "fi",
    'case "${BACKUP_ENVIRONMENT:-}" in staging|production) ;; *) echo "::error::BACKUP_ENVIRONMENT is not staging or production"; exit 1;; esac',
    'if ! [[ "${BACKUP_METRIC_NAMESPACE:-}" =~ ^[A-Za-z0-9][A-Za-z0-9/_.-]{0,254}$ ]]; then',
    '  echo "::error::BACKUP_METRIC_NAMESPACE is not a CloudWatch namespace"; exit 1',
    "fi",
)


def publish_metric(metric_name: str, value: str, region: str) -> str:
    """One `put-metric-data` line; `dimensions` is set by the script (from checked variables)."""
    return (
        f'aws cloudwatch put-metric-data --region "{region}" --namespace "${{BACKUP_METRIC_NAMESPACE}}"'
        f' --metric-name {metric_name} --dimensions "${{dimensions}}" --value "{value}"'
    )


METRIC_VARIABLES_ENV = {
    "BACKUP_APP": var("BACKUP_APP"),
    "BACKUP_ENVIRONMENT": var("BACKUP_ENVIRONMENT"),
    "BACKUP_METRIC_NAMESPACE": var("BACKUP_METRIC_NAMESPACE"),
}

# Uploads send no encryption headers on purpose: the bucket's default encryption (SSE-KMS with the
# bucket's own key and an S3 bucket key) applies. `--sse aws:kms` without a key id would make S3 use the
# AWS-managed aws/s3 key, which the backup bucket policy denies; the key ARN is not a workflow variable.
UPLOAD_ENCRYPTION_HEADERS: tuple[str, ...] = ()
(DB_URL_SECRET,) = BACKUP_SECRETS


def _select_kind() -> dict[str, Any]:
    return {
        "name": "Choose the dump kind and destination prefixes",
        "id": "plan",
        "env": {"SCHEDULE": expr("github.event.schedule"), "REQUESTED_KIND": expr("inputs.kind")},
        "run": script(
            f'if [ "${{SCHEDULE:-}}" = "{FULL_CRON}" ] || [ "${{REQUESTED_KIND:-}}" = "full" ]; then',
            "  kind=full",
            '  prefixes="daily/"',
            # date -u: the schedule is UTC. %u = 7 on Sunday, %d = 01 on the first of the month.
            '  if [ "$(date -u +%u)" = "7" ]; then prefixes="${prefixes} weekly/"; fi',
            '  if [ "$(date -u +%d)" = "01" ]; then prefixes="${prefixes} monthly/"; fi',
            "else",
            "  kind=incremental",
            '  prefixes="incremental/"',
            "fi",
            'stamp="$(date -u +%Y%m%dT%H%M%SZ)"',
            '{ echo "kind=${kind}"; echo "prefixes=${prefixes}"; echo "name=${stamp}-${kind}"; } >> "${GITHUB_OUTPUT}"',
            'echo "${kind} dump ${stamp} -> ${prefixes}"',
        ),
    }


def _dump() -> dict[str, Any]:
    return {
        "name": "Dump the database",
        "env": {
            "SUPABASE_DB_URL": secret(DB_URL_SECRET),
            "KIND": expr("steps.plan.outputs.kind"),
            "NAME": expr("steps.plan.outputs.name"),
        },
        "id": "dump",
        "run": script(
            # The duration metric covers dump and upload: the RPO design's dump-duration term.
            'echo "started=$(date +%s)" >> "${GITHUB_OUTPUT}"',
            "umask 077",
            'dir="${RUNNER_TEMP}/backup/${NAME}"',
            'mkdir -p "${dir}"',
            'if [ "${KIND}" = "full" ]; then',
            '  supabase db dump --db-url "${SUPABASE_DB_URL}" --role-only --file "${dir}/roles.sql"',
            '  supabase db dump --db-url "${SUPABASE_DB_URL}" --file "${dir}/schema.sql"',
            "fi",
            'supabase db dump --db-url "${SUPABASE_DB_URL}" --data-only --use-copy --file "${dir}/data.sql"',
            'tar -czf "${RUNNER_TEMP}/backup/${NAME}.tar.gz" -C "${RUNNER_TEMP}/backup" "${NAME}"',
            'cd "${RUNNER_TEMP}/backup"',
            # The checksum names the archive relative to its folder, so `sha256sum --check` works after download.
            'sha256sum "${NAME}.tar.gz" > "${NAME}.tar.gz.sha256"',
            'ls -l "${NAME}.tar.gz" && cat "${NAME}.tar.gz.sha256"',
        ),
    }


def _upload() -> dict[str, Any]:
    return {
        "name": "Upload the dump and its checksum",
        "env": {
            "BACKUP_BUCKET": var("BACKUP_BUCKET"),
            "NAME": expr("steps.plan.outputs.name"),
            "PREFIXES": expr("steps.plan.outputs.prefixes"),
            **METRIC_VARIABLES_ENV,
        },
        "run": script(
            *CHECK_METRIC_VARIABLES,
            'cd "${RUNNER_TEMP}/backup"',
            'sha256sum --check --strict "${NAME}.tar.gz.sha256"',
            "for prefix in ${PREFIXES}; do",
            '  for file in "${NAME}.tar.gz" "${NAME}.tar.gz.sha256"; do',
            # S3 checks the SHA-256 the CLI computes from the file and refuses the object on a mismatch.
            '    aws s3 cp --only-show-errors --checksum-algorithm SHA256 "${file}" "s3://${BACKUP_BUCKET}/${prefix}${BACKUP_APP}/${file}"',
            "  done",
            '  echo "uploaded s3://${BACKUP_BUCKET}/${prefix}${BACKUP_APP}/${NAME}.tar.gz"',
            "done",
            '{ echo "### Backup ${NAME}"; echo; echo "Uploaded to: ${PREFIXES} (app ${BACKUP_APP})"; } >> "${GITHUB_STEP_SUMMARY}"',
        ),
    }


def _publish() -> dict[str, Any]:
    """Runs only after every upload succeeded: a published metric means a verified backup exists."""
    return {
        "name": "Publish the backup freshness metrics",
        "env": {
            "BACKUP_REGION": var("BACKUP_REGION"),
            "STARTED": expr("steps.dump.outputs.started"),
            **METRIC_VARIABLES_ENV,
        },
        "run": script(
            *CHECK_METRIC_VARIABLES,
            'now="$(date +%s)"',
            'duration="$(( now - STARTED ))"',
            'dimensions="Environment=${BACKUP_ENVIRONMENT},Repository=${BACKUP_APP}"',
            publish_metric(BACKUP_COMPLETED, "${now}", "${BACKUP_REGION}"),
            publish_metric(BACKUP_DURATION, "${duration}", "${BACKUP_REGION}"),
            f'echo "published {BACKUP_COMPLETED}=${{now}} {BACKUP_DURATION}=${{duration}} for ${{dimensions}}"',
        ),
    }


def backup_workflow(settings: GitHubSettings, backup: BackupSettings) -> dict[str, Any]:
    del settings  # names, buckets and roles come from each environment's variables
    incremental_cron = backup.rpo.incremental_cron
    job = {
        "name": "Back up the database (${{ matrix.environment }})",
        "runs-on": RUNNER,
        "timeout-minutes": 60,
        "permissions": {"id-token": "write"},  # no checkout: nothing else is needed
        "strategy": {
            # One environment's failure must not hide the other's result.
            "fail-fast": False,
            "matrix": {"environment": [backup_environment(e) for e in ENVIRONMENTS]},
        },
        "environment": expr("matrix.environment"),
        # Never two dumps of one database at once; a running dump is not cancelled.
        "concurrency": {"group": "backup-${{ matrix.environment }}", "cancel-in-progress": False},
        "steps": [
            _select_kind(),
            {"name": "Set up the Supabase CLI", "uses": uses("supabase/setup-cli")},
            _dump(),
            aws_credentials("AWS credentials (backup writer role)", "BACKUP_ROLE_ARN", var("BACKUP_REGION")),
            _upload(),
            _publish(),
        ],
    }
    return {
        "name": "Database backup",
        "on": {
            "schedule": [{"cron": FULL_CRON}, {"cron": incremental_cron}],
            "workflow_dispatch": {
                "inputs": {
                    "kind": {
                        "description": "Dump to take now",
                        "type": "choice",
                        "options": ["full", "incremental"],
                        "default": "full",
                    }
                }
            },
        },
        "permissions": NO_PERMISSIONS,
        "defaults": BASH_DEFAULTS,
        "jobs": {"backup": job},
    }
