"""backup.yml (IF-009): Supabase dumps to the primary backup bucket through the OIDC writer role.

A full dump (roles, schema, data) daily at 02:00 UTC goes to `daily/`, and also to `weekly/` on Sundays
and `monthly/` on the 1st; a data-only dump every six hours goes to `incremental/` (Postgres logical dumps
have no true increments: this is the cheaper, more frequent dump). Each archive has its sha256 beside it.
"""

from __future__ import annotations

from typing import Any

from components.delivery_contract import BACKUP_SECRETS
from components.github_oidc import backup_environment
from components.settings.github import GitHubSettings

from .actions import uses
from .common import BASH_DEFAULTS, NO_PERMISSIONS, RUNNER, aws_credentials, expr, script, secret, var

FILE_NAME = "backup.yml"
FULL_CRON = "0 2 * * *"  # IF-009 schedule.full: daily at 02:00 UTC
INCREMENTAL_CRON = "0 */6 * * *"  # IF-009 schedule.incremental: every six hours
ENVIRONMENTS = ("staging", "production")

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
        "run": script(
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
        },
        "run": script(
            'cd "${RUNNER_TEMP}/backup"',
            "for prefix in ${PREFIXES}; do",
            '  for file in "${NAME}.tar.gz" "${NAME}.tar.gz.sha256"; do',
            '    aws s3 cp --only-show-errors "${file}" "s3://${BACKUP_BUCKET}/${prefix}${file}"',
            "  done",
            '  echo "uploaded s3://${BACKUP_BUCKET}/${prefix}${NAME}.tar.gz"',
            "done",
            '{ echo "### Backup ${NAME}"; echo; echo "Uploaded to: ${PREFIXES}"; } >> "${GITHUB_STEP_SUMMARY}"',
        ),
    }


def backup_workflow(settings: GitHubSettings) -> dict[str, Any]:
    del settings  # the file is the same for every stack: names and buckets come from environment variables
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
        ],
    }
    return {
        "name": "Database backup",
        "on": {
            "schedule": [{"cron": FULL_CRON}, {"cron": INCREMENTAL_CRON}],
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
