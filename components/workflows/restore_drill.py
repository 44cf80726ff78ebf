"""restore-drill.yml (IF-009 monthly recovery drills, IF-010 RTO validation).

Downloads the newest full dump from the DR replica bucket through the OIDC reader role, verifies its
checksum, restores it into a throwaway Postgres service container, runs integrity checks, and measures
the whole restore against the RTO (`RTO_HOURS`): over the RTO fails the drill.
"""

from __future__ import annotations

from typing import Any

from components.github_oidc import restore_environment
from components.settings.github import GitHubSettings

from .backup import ENVIRONMENTS
from .common import BASH_DEFAULTS, NO_PERMISSIONS, RUNNER, aws_credentials, expr, script, var

FILE_NAME = "restore-drill.yml"
FULL_PREFIX = "daily/"  # every full dump lands here first; weekly/ and monthly/ are copies
# Only the runner reaches the container (localhost), and it lives for one job: trust auth needs no
# password in the file (zizmor: hardcoded-container-credentials).
DATABASE_URL = "postgresql://postgres@localhost:5432/postgres"
# The job may legitimately run up to a 5-hour RTO plus setup; GitHub-hosted jobs stop at 6 hours anyway.
TIMEOUT_MINUTES = 330

INTEGRITY_SQL = """\
\\set ON_ERROR_STOP on
-- Every table of the restored application schemas, with its exact row count.
SELECT format('SELECT %L AS table_name, count(*) AS row_count FROM %I.%I', schemaname || '.' || tablename, schemaname, tablename)
FROM pg_tables
WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
  AND schemaname NOT LIKE 'pg\\_%'
ORDER BY schemaname, tablename
\\gexec
-- Booleans for \\if: no constraint left unvalidated, no invalid index, and application tables restored.
SELECT count(*) > 0 AS unvalidated_constraints FROM pg_constraint WHERE NOT convalidated \\gset
SELECT count(*) > 0 AS invalid_indexes FROM pg_index WHERE NOT indisvalid \\gset
SELECT count(*) = 0 AS no_public_tables FROM pg_tables WHERE schemaname = 'public' \\gset
-- psql has no "exit 1": a failing statement under ON_ERROR_STOP ends it with a non-zero status.
\\if :unvalidated_constraints
  \\echo 'integrity check failed: unvalidated constraints'
  SELECT 1/0;
\\endif
\\if :invalid_indexes
  \\echo 'integrity check failed: invalid indexes'
  SELECT 1/0;
\\endif
\\if :no_public_tables
  \\echo 'integrity check failed: no tables in the public schema'
  SELECT 1/0;
\\endif
\\echo 'integrity checks passed'
"""


def _download() -> dict[str, Any]:
    return {
        "name": "Download the newest full backup and verify its checksum",
        "id": "download",
        "env": {"REPLICA_BUCKET": var("REPLICA_BUCKET")},
        "run": script(
            'echo "started=$(date +%s)" >> "${GITHUB_OUTPUT}"',
            'dir="${RUNNER_TEMP}/restore"',
            'mkdir -p "${dir}"',
            # Archive names start with a UTC timestamp, so the lexically last one is the newest.
            f"key=\"$(aws s3api list-objects-v2 --bucket \"${{REPLICA_BUCKET}}\" --prefix {FULL_PREFIX} --query 'Contents[].Key' --output text | tr '\\t' '\\n' | grep -E '\\.tar\\.gz$' | sort | tail -n 1 || true)\"",
            'if [ -z "${key}" ]; then',
            f'  echo "::error::no full backup under {FULL_PREFIX} in s3://${{REPLICA_BUCKET}}"',
            "  exit 1",
            "fi",
            'aws s3 cp --only-show-errors "s3://${REPLICA_BUCKET}/${key}" "${dir}/"',
            'aws s3 cp --only-show-errors "s3://${REPLICA_BUCKET}/${key}.sha256" "${dir}/"',
            'cd "${dir}"',
            'sha256sum --check --strict "$(basename "${key}").sha256"',
            'tar -xzf "$(basename "${key}")"',
            'echo "archive=${key}" >> "${GITHUB_OUTPUT}"',
            'echo "folder=${dir}/$(basename "${key}" .tar.gz)" >> "${GITHUB_OUTPUT}"',
        ),
    }


def _restore() -> dict[str, Any]:
    return {
        "name": "Restore into the throwaway database",
        "env": {"DATABASE_URL": DATABASE_URL, "FOLDER": expr("steps.download.outputs.folder")},
        "run": script(
            'cd "${FOLDER}"',
            # Supabase's documented restore order; replica role skips triggers while data loads.
            "psql --dbname \"${DATABASE_URL}\" --single-transaction --variable ON_ERROR_STOP=1 --file roles.sql --file schema.sql --command 'SET session_replication_role = replica' --file data.sql",
        ),
    }


def _integrity() -> dict[str, Any]:
    return {
        "name": "Integrity checks",
        "env": {"DATABASE_URL": DATABASE_URL, "INTEGRITY_SQL": INTEGRITY_SQL},
        "run": script(
            'printf \'%s\' "${INTEGRITY_SQL}" > "${RUNNER_TEMP}/integrity.sql"',
            'psql --dbname "${DATABASE_URL}" --no-psqlrc --file "${RUNNER_TEMP}/integrity.sql" | tee "${RUNNER_TEMP}/integrity.txt"',
        ),
    }


def _report() -> dict[str, Any]:
    return {
        "name": "Measure the restore time against the RTO",
        "env": {
            "RTO_HOURS": var("RTO_HOURS"),
            "STARTED": expr("steps.download.outputs.started"),
            "ARCHIVE": expr("steps.download.outputs.archive"),
        },
        "run": script(
            "elapsed=$(( $(date +%s) - STARTED ))",
            "limit=$(( RTO_HOURS * 3600 ))",
            "{",
            '  echo "### Restore drill"',
            '  echo "Backup: ${ARCHIVE}"',
            '  echo "Restore time: ${elapsed} s (RTO: ${RTO_HOURS} h = ${limit} s)"',
            '  echo; echo "Integrity checks:"; echo; echo "\\`\\`\\`"; cat "${RUNNER_TEMP}/integrity.txt"; echo "\\`\\`\\`"',
            '} >> "${GITHUB_STEP_SUMMARY}"',
            'if [ "${elapsed}" -gt "${limit}" ]; then',
            '  echo "::error::restore took ${elapsed} s, over the RTO of ${RTO_HOURS} h"',
            "  exit 1",
            "fi",
            'echo "restore took ${elapsed} s, within the RTO of ${RTO_HOURS} h"',
        ),
    }


def restore_drill_workflow(settings: GitHubSettings) -> dict[str, Any]:
    workflows = settings.workflows
    job = {
        "name": "Restore drill (${{ matrix.environment }})",
        "runs-on": RUNNER,
        "timeout-minutes": TIMEOUT_MINUTES,
        "permissions": {"id-token": "write"},
        "strategy": {
            "fail-fast": False,
            "matrix": {"environment": [restore_environment(e) for e in ENVIRONMENTS]},
        },
        "environment": expr("matrix.environment"),
        "concurrency": {"group": "restore-drill-${{ matrix.environment }}", "cancel-in-progress": False},
        "services": {
            "postgres": {
                "image": workflows.restore_drill_image,
                "env": {"POSTGRES_HOST_AUTH_METHOD": "trust"},
                "ports": ["5432:5432"],
                "options": "--health-cmd pg_isready --health-interval 5s --health-timeout 5s --health-retries 30",
            }
        },
        "steps": [
            aws_credentials("AWS credentials (restore reader role)", "RESTORE_ROLE_ARN", var("REPLICA_REGION")),
            _download(),
            _restore(),
            _integrity(),
            _report(),
        ],
    }
    return {
        "name": "Restore drill",
        "on": {"schedule": [{"cron": workflows.restore_drill_schedule}], "workflow_dispatch": {}},
        "permissions": NO_PERMISSIONS,
        "defaults": BASH_DEFAULTS,
        "jobs": {"restore-drill": job},
    }
