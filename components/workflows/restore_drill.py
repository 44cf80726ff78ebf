"""restore-drill.yml (IF-009 monthly recovery drills, IF-010 RTO validation).

Downloads the app's newest full dump (`daily/<BACKUP_APP>/`) from the DR replica bucket through the app's
OIDC reader role, verifies its checksum, restores it into a throwaway Postgres service container, runs
integrity checks, and measures the whole restore against the RTO (`RTO_HOURS`): over the RTO fails the drill.
Whatever the outcome, it publishes `RestoreDrillSucceeded` and `RestoreDrillDurationSeconds`.

A second job runs daily (and after each drill) and publishes `RestoreDrillAgeDays`, the days since the newest
successful drill, read back from CloudWatch: a monthly drill cannot be watched by an alarm directly (an alarm
evaluates at most seven days), a daily age can.
"""

from __future__ import annotations

from typing import Any

from components.backup.freshness import DRILL_AGE, DRILL_DURATION, DRILL_SUCCEEDED
from components.github.oidc import restore_environment
from components.settings.backup import DRILL_LOOKBACK_DAYS, BackupSettings
from components.settings.github import GitHubSettings

from .backup import CHECK_METRIC_VARIABLES, ENVIRONMENTS, METRIC_VARIABLES_ENV, publish_metric
from .common import BASH_DEFAULTS, NO_PERMISSIONS, RUNNER, aws_credentials, expr, script, var

FILE_NAME = "restore-drill.yml"
FULL_PREFIX = "daily/"  # every full dump lands here first; weekly/ and monthly/ are copies
AGE_CRON = "41 6 * * *"  # daily drill-age report (UTC), off the top of the hour
AGE_PERIOD_SECONDS = 21600  # the age is exact to within this (62 days of 6-hour points: under 1,440)
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
        "env": {"REPLICA_BUCKET": var("REPLICA_BUCKET"), **METRIC_VARIABLES_ENV},
        "run": script(
            'echo "started=$(date +%s)" >> "${GITHUB_OUTPUT}"',
            *CHECK_METRIC_VARIABLES,
            f'prefix="{FULL_PREFIX}${{BACKUP_APP}}/"',
            'dir="${RUNNER_TEMP}/restore"',
            'mkdir -p "${dir}"',
            # Archive names start with a UTC timestamp, so the lexically last one is this app's newest.
            "key=\"$(aws s3api list-objects-v2 --bucket \"${REPLICA_BUCKET}\" --prefix \"${prefix}\" --query 'Contents[].Key' --output text | tr '\\t' '\\n' | grep -E '\\.tar\\.gz$' | sort | tail -n 1 || true)\"",
            'if [ -z "${key}" ]; then',
            '  echo "::error::no full backup under ${prefix} in s3://${REPLICA_BUCKET}"',
            "  exit 1",
            "fi",
            'case "${key}" in "${prefix}"*) ;; *) echo "::error::${key} is not under ${prefix}"; exit 1;; esac',
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


def _publish_result() -> dict[str, Any]:
    """Runs whatever happened before (failure, over the RTO, cancellation by the timeout)."""
    return {
        "name": "Publish the drill result and duration",
        "if": "always()",
        "env": {
            "JOB_STATUS": expr("job.status"),
            "STARTED": expr("steps.download.outputs.started"),
            "BACKUP_METRICS_REGION": var("BACKUP_METRICS_REGION"),
            **METRIC_VARIABLES_ENV,
        },
        "run": script(
            *CHECK_METRIC_VARIABLES,
            'dimensions="Environment=${BACKUP_ENVIRONMENT},Repository=${BACKUP_APP}"',
            'succeeded=0; if [ "${JOB_STATUS}" = success ]; then succeeded=1; fi',
            publish_metric(DRILL_SUCCEEDED, "${succeeded}", "${BACKUP_METRICS_REGION}"),
            # No start time: the drill failed before its download began; there is no duration to report.
            'if [[ "${STARTED:-}" =~ ^[0-9]+$ ]]; then',
            '  duration="$(( $(date +%s) - STARTED ))"',
            "  " + publish_metric(DRILL_DURATION, "${duration}", "${BACKUP_METRICS_REGION}"),
            "fi",
            f'echo "published {DRILL_SUCCEEDED}=${{succeeded}} for ${{dimensions}}"',
        ),
    }


def _publish_age() -> dict[str, Any]:
    return {
        "name": "Publish the days since the last successful drill",
        "env": {"BACKUP_METRICS_REGION": var("BACKUP_METRICS_REGION"), **METRIC_VARIABLES_ENV},
        "run": script(
            *CHECK_METRIC_VARIABLES,
            'dimensions="Environment=${BACKUP_ENVIRONMENT},Repository=${BACKUP_APP}"',
            'now="$(date +%s)"',
            f'start="$(date -u -d "@$(( now - {DRILL_LOOKBACK_DAYS} * 86400 ))" +%Y-%m-%dT%H:%M:%SZ)"',
            'end="$(date -u -d "@${now}" +%Y-%m-%dT%H:%M:%SZ)"',
            # The start of the newest period in which a drill succeeded (Maximum 1); "None" when there is none.
            'newest="$(aws cloudwatch get-metric-statistics --region "${BACKUP_METRICS_REGION}"'
            ' --namespace "${BACKUP_METRIC_NAMESPACE}"'
            f" --metric-name {DRILL_SUCCEEDED}"
            ' --dimensions "Name=Environment,Value=${BACKUP_ENVIRONMENT}" "Name=Repository,Value=${BACKUP_APP}"'
            f' --start-time "${{start}}" --end-time "${{end}}" --period {AGE_PERIOD_SECONDS} --statistics Maximum'
            " --query 'max_by(Datapoints[?Maximum >= `1`], &Timestamp).Timestamp' --output text)\"",
            'if [ -z "${newest}" ] || [ "${newest}" = None ]; then',
            # Never succeeded within the look-back: report the whole look-back, which is over any threshold.
            f"  age={DRILL_LOOKBACK_DAYS}",
            "else",
            '  hours="$(( (now - $(date -u -d "${newest}" +%s)) / 3600 ))"',
            '  age="$(printf \'%d.%02d\' "$(( hours / 24 ))" "$(( (hours % 24) * 100 / 24 ))")"',
            "fi",
            publish_metric(DRILL_AGE, "${age}", "${BACKUP_METRICS_REGION}"),
            f'echo "published {DRILL_AGE}=${{age}} for ${{dimensions}} (newest successful drill: ${{newest}})"',
        ),
    }


def restore_drill_workflow(settings: GitHubSettings, backup: BackupSettings) -> dict[str, Any]:
    del backup  # the drill reads its app, RTO and metric names from the environment's variables
    workflows = settings.workflows
    drill_cron = workflows.restore_drill_schedule
    matrix = {"fail-fast": False, "matrix": {"environment": [restore_environment(e) for e in ENVIRONMENTS]}}
    job = {
        "name": "Restore drill (${{ matrix.environment }})",
        # The daily schedule only reports the drill's age.
        "if": f"github.event_name == 'workflow_dispatch' || github.event.schedule == '{drill_cron}'",
        "runs-on": RUNNER,
        "timeout-minutes": TIMEOUT_MINUTES,
        "permissions": {"id-token": "write"},
        "strategy": matrix,
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
            _publish_result(),
        ],
    }
    age_job = {
        "name": "Drill age (${{ matrix.environment }})",
        "needs": "restore-drill",
        # After the drill (whatever its result) or, on the daily schedule, after it was skipped.
        "if": "always()",
        "runs-on": RUNNER,
        "timeout-minutes": 10,
        "permissions": {"id-token": "write"},
        "strategy": matrix,
        "environment": expr("matrix.environment"),
        "concurrency": {"group": "drill-age-${{ matrix.environment }}", "cancel-in-progress": False},
        "steps": [
            aws_credentials("AWS credentials (restore reader role)", "RESTORE_ROLE_ARN", var("BACKUP_METRICS_REGION")),
            _publish_age(),
        ],
    }
    return {
        "name": "Restore drill",
        "on": {"schedule": [{"cron": drill_cron}, {"cron": AGE_CRON}], "workflow_dispatch": {}},
        "permissions": NO_PERMISSIONS,
        "defaults": BASH_DEFAULTS,
        "jobs": {"restore-drill": job, "drill-age": age_job},
    }
