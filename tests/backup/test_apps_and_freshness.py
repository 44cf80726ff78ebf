"""One backup per app (own prefixes, roles scoped to them) and the freshness and drill alarms on the jobs' metrics."""

from __future__ import annotations

import fnmatch
from typing import Any

import pytest

from components.backup.apps import app_prefixes, role_name
from components.backup.freshness import MAX_LONG_EVALUATION, MAX_SHORT_EVALUATION, window_periods
from components.settings.backup import backup_identity
from ops.offline import Evaluation
from tests.backup.support import (
    ALARM,
    BACKUP,
    BUCKET,
    ROLE,
    ROLE_POLICY,
    TIERS,
    vault_name,
    vault_resource,
    vault_s3_resource,
)
from tests.support.parliament import parliament_findings, role_trust_findings
from tests.support.policy_documents import as_list, policy_document
from tests.support.programs import evaluate_with
from tests.support.resources import alert_topic_arns, recorded_dashboard_body
from tests.support.stack_files import NAMESPACE

APPS = ("app", "app-admin")  # `app` is a string prefix of `app-admin`: the case prefixes must not leak into


@pytest.fixture(scope="module")
def two_apps(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    def edit(config: dict[str, Any]) -> None:
        config[f"{NAMESPACE}:github"]["repositories"] = [f"lodgetix/{a}" for a in ("App", "app-admin")]

    return evaluate_with(tmp_path_factory.mktemp("two-apps"), "production", edit)


def _allows(document: dict[str, Any], action: str, resource: str) -> bool:
    """Whether any Allow statement names `action` on `resource` (IAM wildcard matching of both)."""
    for statement in document["Statement"]:
        actions = as_list(statement["Action"])
        allowed = statement["Effect"] == "Allow" and any(fnmatch.fnmatchcase(action, a) for a in actions)
        if allowed and any(fnmatch.fnmatchcase(resource, r) for r in as_list(statement["Resource"])):
            return True
    return False


def test_identity_is_the_lowercased_repository_name() -> None:
    assert backup_identity("lodgetix/Lodgetix-App") == "lodgetix-app"
    assert app_prefixes(["daily/", "weekly/"], "app") == ["daily/app/", "weekly/app/"]
    long = "x" * 100
    assert len(role_name("production", long, "writer")) == 64
    assert role_name("production", long, "writer") != role_name("production", long[:-1] + "y", "writer")


def test_each_app_has_its_own_roles_trusting_only_its_own_jobs(two_apps: Evaluation) -> None:
    for app, repository in zip(APPS, ("lodgetix/App", "lodgetix/app-admin"), strict=True):
        for kind, environment in (("writer", "production-backup"), ("reader", "production-restore-drill")):
            role = vault_resource(two_apps, ROLE, f"{app}-{kind}")
            (only,) = policy_document(role, "assumeRolePolicy")["Statement"]
            subject = only["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"]
            assert subject == f"repo:{repository}:environment:{environment}"
            assert role_trust_findings(role) == []
    assert two_apps.outputs["backup_writer_role_arns"].keys() == set(APPS)


@pytest.mark.parametrize("app", APPS)
def test_an_apps_roles_reach_only_its_own_prefixes(two_apps: Evaluation, app: str) -> None:
    primary = vault_resource(two_apps, BUCKET, "primary").plain_outputs["arn"]
    replica = vault_resource(two_apps, BUCKET, "replica").plain_outputs["arn"]
    writer = policy_document(vault_resource(two_apps, ROLE_POLICY, f"{app}-writer"))
    reader = policy_document(vault_resource(two_apps, ROLE_POLICY, f"{app}-reader"))
    assert parliament_findings(writer) == parliament_findings(reader) == []
    for other in APPS:
        for tier in TIERS:
            key = f"{tier}{other}/20260705T020000Z-full.tar.gz"
            own = other == app
            assert _allows(writer, "s3:PutObject", f"{primary}/{key}") is own, (app, key)
            assert _allows(reader, "s3:GetObject", f"{replica}/{key}") is own, (app, key)
            assert not _allows(reader, "s3:GetObject", f"{primary}/{key}")
    # Keys outside any app prefix (the old flat layout) are nobody's.
    assert not _allows(writer, "s3:PutObject", f"{primary}/daily/20260705T020000Z-full.tar.gz")
    assert not _allows(reader, "s3:GetObject", f"{replica}/daily/20260705T020000Z-full.tar.gz")
    (listing,) = [s for s in reader["Statement"] if s["Sid"] == "ListOwnPrefixes"]
    listable = listing["Condition"]["StringLike"]["s3:prefix"]
    assert [p for p in listable if fnmatch.fnmatchcase(f"daily/{app}/", p)] == [f"daily/{app}/*"]
    other = next(a for a in APPS if a != app)
    assert not [p for p in listable if fnmatch.fnmatchcase(f"daily/{other}/", p)]
    # Both may publish metrics, only into the backup namespace.
    for document in (writer, reader):
        (publish,) = [s for s in document["Statement"] if s["Sid"] == "PublishBackupMetrics"]
        assert publish["Condition"] == {"StringEquals": {"cloudwatch:namespace": "Platform/Backups"}}


def test_lifecycle_tiers_apply_to_every_app(two_apps: Evaluation) -> None:
    rules = vault_s3_resource(two_apps, "BucketLifecycleConfiguration", "primary-lifecycle").plain_inputs["rules"]
    # The tier rules filter on their prefix; one more rule, with an empty filter, aborts multipart uploads bucket-wide.
    filters = [r["filter"]["prefix"] for r in rules if r["filter"].get("prefix")]
    assert filters == TIERS
    for app in APPS:
        assert all(any(p.startswith(f) for f in filters) for p in app_prefixes(TIERS, app))


def _app_alarms(evaluation: Evaluation, app: str) -> dict[str, dict[str, Any]]:
    prefix = f"{vault_name(evaluation)}-{app}-"
    return {a.name.removeprefix(prefix): a.plain_inputs for a in evaluation.of_type(ALARM) if a.name.startswith(prefix)}


def test_freshness_and_drill_alarms_per_app(stack: Evaluation) -> None:
    alarms = _app_alarms(stack, "lodgetix-app")
    assert set(alarms) == {"backup-freshness", "backup-duration", "drill-failed", "drill-over-rto", "drill-age"}
    severity = "high" if stack.stack == "production" else "medium"
    topic = alert_topic_arns(stack)[severity]
    for alarm in alarms.values():
        assert alarm["namespace"] == "Platform/Backups"
        assert alarm["dimensions"] == {"Environment": stack.stack, "Repository": "lodgetix-app"}
        assert alarm["region"] == "us-east-1"
        assert alarm["alarmActions"] == alarm["okActions"] == [topic]
        assert alarm["alarmDescription"].startswith(f"[{severity}] ")
        assert "Check first:" in alarm["alarmDescription"]
        assert alarm["period"] * alarm["evaluationPeriods"] <= (
            MAX_SHORT_EVALUATION if alarm["period"] < 3600 else MAX_LONG_EVALUATION
        )

    fresh = alarms["backup-freshness"]
    # No verified upload in 105 minutes (60 interval + 30 delay + 15 replication) = 21 five-minute periods.
    assert (fresh["metricName"], fresh["statistic"]) == ("BackupCompletedAt", "SampleCount")
    assert (fresh["period"], fresh["evaluationPeriods"], fresh["datapointsToAlarm"]) == (300, 21, 21)
    assert (fresh["comparisonOperator"], fresh["threshold"]) == ("LessThanThreshold", 1)
    assert fresh["treatMissingData"] == "breaching", "a job that never runs publishes nothing"
    design = stack.outputs["backup_rpo_design"]
    assert fresh["period"] * fresh["evaluationPeriods"] <= design["freshness_window_minutes"] * 60

    age = alarms["drill-age"]
    assert (age["metricName"], age["period"], age["evaluationPeriods"]) == ("RestoreDrillAgeDays", 86400, 1)
    assert (age["comparisonOperator"], age["threshold"]) == ("GreaterThanThreshold", 31 + 2)
    assert age["treatMissingData"] == "breaching", "a silent age job hides a missing drill"

    failed = alarms["drill-failed"]
    assert (failed["metricName"], failed["statistic"], failed["threshold"]) == ("RestoreDrillSucceeded", "Minimum", 1)
    over = alarms["drill-over-rto"]
    assert (over["metricName"], over["threshold"]) == ("RestoreDrillDurationSeconds", 4 * 3600)
    # A monthly result stays in force until the next drill; the age alarm covers drills that never report.
    duration = alarms["backup-duration"]
    assert (duration["metricName"], duration["threshold"]) == ("BackupDurationSeconds", 15 * 60)
    assert failed["treatMissingData"] == over["treatMissingData"] == duration["treatMissingData"] == "ignore"


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(20, (300, 4)), (104, (300, 20)), (1440, (300, 288)), (1441, (3600, 24)), (7 * 1440, (3600, 168))],
)
def test_windows_fit_cloudwatch_evaluation_limits(minutes: int, expected: tuple[int, int]) -> None:
    period, periods = window_periods(minutes)
    assert (period, periods) == expected
    assert period * periods <= minutes * 60, "never later than the window"
    assert period * periods > minutes * 60 - period, "at most one period early"


def test_a_window_past_seven_days_is_refused() -> None:
    with pytest.raises(ValueError, match="7-day"):
        window_periods(7 * 1440 + 1)


def test_alarms_follow_settings(tmp_path) -> None:
    def edit(config: dict[str, Any]) -> None:
        backup = config[BACKUP]
        backup["dumps"]["interval_minutes"] = 15
        backup["freshness_alarm_severity"] = "critical"
        backup["restore_drill"] = {"interval_days": 7, "margin_days": 1, "severity": "low"}

    evaluation = evaluate_with(tmp_path, "production", edit)
    alarms = _app_alarms(evaluation, "lodgetix-app")
    fresh = alarms["backup-freshness"]
    assert fresh["evaluationPeriods"] == (15 + 30 + 15) // 5
    assert fresh["alarmActions"] == [alert_topic_arns(evaluation)["critical"]]
    assert alarms["drill-age"]["threshold"] == 8
    assert alarms["drill-age"]["alarmActions"] == [alert_topic_arns(evaluation)["low"]]
    assert evaluation.outputs["backup_rpo_design"]["incremental_cron"] == "7-59/15 * * * *"


def test_dashboard_shows_backup_age_against_the_rpo_and_drills_against_the_rto(stack: Evaluation) -> None:
    widgets = {w["properties"].get("title"): w["properties"] for w in recorded_dashboard_body(stack)["widgets"]}
    design = stack.outputs["backup_rpo_design"]
    age = widgets["Backup age of lodgetix-app (min) vs RPO"]
    expression, metric = age["metrics"]
    assert expression[0]["expression"] == "(EPOCH(FILL(m1, REPEAT)) - FILL(m1, REPEAT)) / 60"
    assert metric[:6] == [
        "Platform/Backups",
        "BackupCompletedAt",
        "Environment",
        stack.stack,
        "Repository",
        "lodgetix-app",
    ]
    assert metric[6]["id"] == "m1"
    lines = {line["value"] for line in age["annotations"]["horizontal"]}
    assert lines == {design["freshness_window_minutes"], design["dump_rpo_minutes"], design["target_minutes"]}
    drill = widgets["Restore drill of lodgetix-app: duration (s) vs RTO"]
    assert [m[1] for m in drill["metrics"]] == ["RestoreDrillDurationSeconds", "RestoreDrillAgeDays"]
    assert drill["annotations"]["horizontal"][0]["value"] == 4 * 3600
    (status,) = [w for w in recorded_dashboard_body(stack)["widgets"] if w["type"] == "alarm"]
    freshness = [a for a in stack.of_type(ALARM) if a.name.endswith("-lodgetix-app-backup-freshness")]
    assert freshness[0].plain_outputs["arn"] in status["properties"]["alarms"]
