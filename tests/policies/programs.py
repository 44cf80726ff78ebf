"""Small Pulumi programs for the policy tests: one that every rule accepts and one that breaks every rule.

They are run through the offline evaluator, so rules see camelCase, secret-unwrapped, read-only props and the
provider SDKs' real serialisation, exactly as in `python -m ops plan`.
"""

SECURE = """
import json

import pulumi
import pulumi_aws as aws
import pulumi_cloudflare as cloudflare
import pulumi_github as github
import yaml

TAGS = {"project": "p", "environment": "e", "component": "c", "owner": "o", "cost-center": "cc", "feature": "f"}


def add_tags(args):
    if args.type_.startswith("aws:") and "tags" in args.props:
        tags = {**TAGS, **(args.props.get("tags") or {})}
        return pulumi.ResourceTransformationResult({**args.props, "tags": tags}, args.opts)
    return None


pulumi.runtime.register_stack_transformation(add_tags)
ACCOUNT = "123456789012"
ROOT_ONLY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
     "Action": "kms:*", "Resource": "*"}]})
protected = pulumi.ResourceOptions(protect=True, retain_on_delete=True)
key = aws.kms.Key("key", enable_key_rotation=True, policy=ROOT_ONLY, opts=protected)
alias = aws.kms.Alias("key-alias", name="alias/backups", target_key_id=key.key_id)
replica_key = aws.kms.Key("replica-key", enable_key_rotation=True, policy=ROOT_ONLY, region="us-west-2", opts=protected)
signing_key = aws.kms.Key("signing", key_usage="SIGN_VERIFY", customer_master_key_spec="ECC_NIST_P256", policy=ROOT_ONLY)


def secure_bucket(name, kms_key, log_target=None, object_lock=False, region=None, opts=None, tags=None):
    bucket = aws.s3.Bucket(name, bucket=name, object_lock_enabled=object_lock or None, region=region, opts=opts,
                           tags=tags)
    if kms_key is None:
        rule = {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}
    else:
        rule = {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": kms_key},
                "bucket_key_enabled": True}
    aws.s3.BucketServerSideEncryptionConfiguration(f"{name}-sse", bucket=bucket.id, rules=[rule], region=region)
    versioning = aws.s3.BucketVersioning(f"{name}-versioning", bucket=bucket.id,
                                         versioning_configuration={"status": "Enabled"}, region=region)
    aws.s3.BucketPublicAccessBlock(f"{name}-pab", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
                                   ignore_public_acls=True, restrict_public_buckets=True, region=region)
    aws.s3.BucketOwnershipControls(f"{name}-ownership", bucket=bucket.id,
                                   rule={"object_ownership": "BucketOwnerEnforced"}, region=region)
    aws.s3.BucketPolicy(f"{name}-policy", bucket=bucket.id, region=region, policy=bucket.arn.apply(lambda arn: json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
         "Action": "s3:*", "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))
    aws.s3.BucketLifecycleConfiguration(f"{name}-lifecycle", bucket=bucket.id, region=region, rules=[
        {"id": "abort", "status": "Enabled", "filter": {}, "abort_incomplete_multipart_upload": {"days_after_initiation": 1}}])
    if log_target is not None:
        aws.s3.BucketLogging(f"{name}-logging", bucket=bucket.id, target_bucket=log_target.id,
                             target_prefix=f"{name}/", region=region)
    if object_lock:
        aws.s3.BucketObjectLockConfiguration(f"{name}-lock", bucket=bucket.id, region=region,
            rule={"default_retention": {"mode": "GOVERNANCE", "days": 7}}, opts=pulumi.ResourceOptions(depends_on=[versioning]))
    return bucket, versioning


LOGS = {"purpose": "s3-access-logs"}
logs, _ = secure_bucket("acme-production-access-logs", None, tags=LOGS)
replica_logs, _ = secure_bucket("acme-production-access-logs-us-west-2", None, region="us-west-2", tags=LOGS)
primary, primary_versioning = secure_bucket("acme-production-backups-us-east-1", alias.name, logs, True, opts=protected)
replica, replica_versioning = secure_bucket("acme-production-backups-us-west-2", replica_key.arn, replica_logs, True,
                                            region="us-west-2", opts=protected)
assets, _ = secure_bucket("acme-production-assets", key.arn, logs)
replication_role = aws.iam.Role("replication", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole",
     "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]}))
aws.s3.BucketReplicationConfig("replication", bucket=primary.id, role=replication_role.arn, rules=[{
    "id": "all", "status": "Enabled", "filter": {}, "priority": 1,
    "delete_marker_replication": {"status": "Enabled"},
    "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
    "destination": {"bucket": replica.arn, "encryption_configuration": {"replica_kms_key_id": replica_key.arn},
                    "replication_time": {"status": "Enabled", "time": {"minutes": 15}},
                    "metrics": {"status": "Enabled", "event_threshold": {"minutes": 15}}}}],
    opts=pulumi.ResourceOptions(depends_on=[primary_versioning, replica_versioning]))
aws.iam.RolePolicy("replication", role=replication_role.id, policy=pulumi.Output.secret(pulumi.Output.json_dumps(
    {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"], "Resource": primary.arn},
        {"Effect": "Allow", "Action": ["s3:ReplicateObject", "s3:ReplicateDelete"],
         "Resource": replica.arn.apply(lambda a: f"{a}/*")},
        {"Effect": "Allow", "Action": ["cloudwatch:PutMetricData", "s3:ListAllMyBuckets"], "Resource": "*"}]})))

topic = aws.sns.Topic("alerts", kms_master_key_id=key.arn)
aws.sns.TopicPolicy("alerts", arn=topic.arn, policy=topic.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [
        {"Sid": "CloudWatch", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
         "Action": "sns:Publish", "Resource": arn},
        {"Sid": "Org", "Effect": "Allow", "Principal": "*", "Action": "sns:Subscribe", "Resource": arn,
         "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}},
        {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": arn,
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))
alarm = aws.cloudwatch.MetricAlarm("errors", name="errors", comparison_operator="GreaterThanThreshold",
    evaluation_periods=1, metric_name="Errors", namespace="App", period=60, statistic="Sum", threshold=5,
    alarm_actions=[topic.arn])
aws.cloudwatch.CompositeAlarm("composite", alarm_name="composite", alarm_rule='ALARM("errors")',
    alarm_actions=[topic.arn], actions_enabled=True)
aws.budgets.Budget("monthly", budget_type="COST", time_unit="MONTHLY", limit_amount="2000", limit_unit="USD",
    notifications=[{"comparison_operator": "GREATER_THAN", "notification_type": "ACTUAL", "threshold": 80,
                    "threshold_type": "PERCENTAGE", "subscriber_sns_topic_arns": [topic.arn]}])
monitor = aws.costexplorer.AnomalyMonitor("anomaly", name="services", monitor_type="DIMENSIONAL",
                                          monitor_dimension="SERVICE")
aws.costexplorer.AnomalySubscription("anomaly", name="services", frequency="IMMEDIATE",
    monitor_arn_lists=[monitor.arn], subscribers=[{"type": "SNS", "address": topic.arn}])

oidc_host = "token.actions.githubusercontent.com"
aws.iam.Role("deploy", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
    "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{oidc_host}"},
    "Condition": {"StringEquals": {f"{oidc_host}:aud": "sts.amazonaws.com",
                                   f"{oidc_host}:sub": ["repo:acme/app:environment:production",
                                                        "repo:acme/app:ref:refs/heads/main"]}}}]}))
aws.iam.Policy("reader", policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:List*"], "Resource": "*"}]}))

zone = "9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e"
cloudflare.Ruleset("waf", zone_id=zone, kind="zone", name="waf", phase="http_request_firewall_managed", rules=[
    {"action": "execute", "expression": "true", "action_parameters": {"id": "efb7b8c949ac4650a09736fc376e9aee"}},
    {"action": "execute", "expression": "true", "action_parameters": {"id": "4814384a9e5d4991b9815dcfc25d2f1f",
        "overrides": {"categories": [{"category": "paranoia-level-2", "enabled": False}],
                      "rules": [{"id": "6179ae15870a4bb7b2d480d4843b323c", "action": "block", "score_threshold": 40}]}}}])
cloudflare.Ruleset("ratelimit", zone_id=zone, kind="zone", name="rl", phase="http_ratelimit", rules=[
    {"action": "block", "expression": '(starts_with(http.request.uri.path, "/api/"))',
     "ratelimit": {"characteristics": ["cf.colo.id", "ip.src"], "period": 60, "requests_per_period": 100,
                   "mitigation_timeout": 600}}])
cloudflare.Ruleset("headers", zone_id=zone, kind="zone", name="headers", phase="http_response_headers_transform",
    rules=[{"action": "rewrite", "expression": "true", "action_parameters": {"headers": {
        "Content-Security-Policy": {"operation": "set", "value": "default-src 'self'"},
        "X-Content-Type-Options": {"operation": "set", "value": "nosniff"}}}}])
cloudflare.ZoneSetting("tls", zone_id=zone, setting_id="min_tls_version", value="1.2")

github.ActionsSecret("secret", repository="app", secret_name="FUNCTION_ID", value=pulumi.Output.secret("fn-123"))
github.ActionsEnvironmentSecret("env-secret", repository="app", environment="production", secret_name="FILTER_TO",
                                value=pulumi.Output.secret("x"))
github.RepositoryEnvironment("production", repository="app", environment="production", prevent_self_review=True,
                             reviewers=[{"teams": [7261534]}])
github.RepositoryEnvironment("staging", repository="app", environment="staging")
SHA = "3d3c42e5aac5ba805825da76410c181273ba90b1"
github.RepositoryFile("deploy", repository="app", file=".github/workflows/deploy.yml", content=yaml.safe_dump({
    "name": "deploy", "on": {"push": {"branches": ["main"]}}, "permissions": {"contents": "read"},
    "jobs": {"test": {"runs-on": "ubuntu-latest", "steps": [{"uses": f"actions/checkout@{SHA}"}, {"run": "make test"},
                                                             {"uses": "./.github/actions/local"}]},
             "reuse": {"uses": f"acme/workflows/.github/workflows/x.yml@{SHA}", "permissions": {"id-token": "write"}}}}))
github.RepositoryFile("env-example", repository="app", file=".env.example", content="FILTER_TO=\\n")
github.BranchProtection("main", repository_id="app", pattern="main", enforce_admins=True)
"""

INSECURE = '''
import json

import pulumi
import pulumi_aws as aws
import pulumi_cloudflare as cloudflare
import pulumi_github as github

PUBLIC_KMS = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "Everyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]})
key = aws.kms.Key("key", policy=PUBLIC_KMS)
# A production backup bucket with nothing configured and no protect.
backup = aws.s3.Bucket("acme-production-backups-us-east-1", bucket="acme-production-backups-us-east-1")
aws.s3.BucketServerSideEncryptionConfiguration("backup-sse", bucket=backup.id, rules=[
    {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}])
# A bucket with weak settings everywhere.
weak = aws.s3.Bucket("weak", bucket="acme-weak")
aws.s3.BucketServerSideEncryptionConfiguration("weak-sse", bucket=weak.id, rules=[
    {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}])
aws.s3.BucketVersioning("weak-versioning", bucket=weak.id, versioning_configuration={"status": "Suspended"})
aws.s3.BucketPublicAccessBlock("weak-pab", bucket=weak.id, block_public_acls=True, block_public_policy=False)
aws.s3.BucketOwnershipControls("weak-ownership", bucket=weak.id, rule={"object_ownership": "ObjectWriter"})
aws.s3.BucketAcl("weak-acl", bucket=weak.id, acl="private")
aws.s3.BucketPolicy("weak-policy", bucket=weak.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-weak/*",
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
aws.s3.BucketLifecycleConfiguration("weak-lifecycle", bucket=weak.id, rules=[
    {"id": "late", "status": "Enabled", "filter": {}, "abort_incomplete_multipart_upload": {"days_after_initiation": 30}}])
aws.s3.BucketLogging("weak-logging", bucket=weak.id, target_bucket=weak.id, target_prefix="self/")
# Named like a log bucket but not tagged as one: no SSE-S3 exemption, and it must be logged.
untagged = aws.s3.Bucket("untagged-logs", bucket="acme-production-access-logs-x")
aws.s3.BucketServerSideEncryptionConfiguration("untagged-sse", bucket=untagged.id, rules=[
    {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}])
# KMS with the AWS-managed key and no bucket key.
managed = aws.s3.Bucket("managed", bucket="acme-managed-key")
aws.s3.BucketServerSideEncryptionConfiguration("managed-sse", bucket=managed.id, rules=[
    {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": "alias/aws/s3"}}])
# A replicated production backup bucket without RTC and without Object Lock.
replicated = aws.s3.Bucket("acme-production-backups-eu", bucket="acme-production-backups-eu", object_lock_enabled=True,
                           opts=pulumi.ResourceOptions(protect=True))
aws.s3.BucketReplicationConfig("replication", bucket=replicated.id, role="arn:aws:iam::123456789012:role/r", rules=[
    {"id": "all", "status": "Enabled", "filter": {}, "destination": {"bucket": "arn:aws:s3:::elsewhere"}}])

topic = aws.sns.Topic("alerts")
aws.sns.Topic("managed-key", kms_master_key_id="alias/aws/sns")
aws.sns.TopicPolicy("alerts", arn=topic.arn, policy=topic.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["sns:Publish", "sns:Subscribe"], "Resource": arn}]})))
aws.cloudwatch.MetricAlarm("silent", name="silent", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                           metric_name="Errors", namespace="App", period=60, statistic="Sum", threshold=5)
aws.cloudwatch.CompositeAlarm("muted", alarm_name="muted", alarm_rule='ALARM("silent")', actions_enabled=False,
                              alarm_actions=[topic.arn])
aws.budgets.Budget("monthly", budget_type="COST", time_unit="MONTHLY", limit_amount="2000", limit_unit="USD",
    notifications=[{"comparison_operator": "GREATER_THAN", "notification_type": "ACTUAL", "threshold": 80,
                    "threshold_type": "PERCENTAGE"}])

oidc_host = "token.actions.githubusercontent.com"
role = aws.iam.Role("deploy", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
    "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{oidc_host}"},
    "Condition": {"StringLike": {f"{oidc_host}:sub": "repo:acme/*"}}}]}))
aws.iam.Role("pinned-badly", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": oidc_host},
    "Condition": {"StringEquals": {f"{oidc_host}:aud": "sts.amazonaws.com", f"{oidc_host}:sub": "repo:acme/app:*"}}}]}))
aws.iam.RolePolicy("admin", role=role.id, policy=pulumi.Output.secret(json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Sid": "Writes", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "*"}]})))
aws.iam.RolePolicyAttachment("admin", role=role.id, policy_arn="arn:aws:iam::aws:policy/AdministratorAccess")

zone = "9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e"
cloudflare.Ruleset("waf", zone_id=zone, kind="zone", name="waf", phase="http_request_firewall_managed", rules=[
    {"action": "execute", "expression": "true", "action_parameters": {"id": "efb7b8c949ac4650a09736fc376e9aee",
                                                                      "overrides": {"action": "log"}}}])
cloudflare.Ruleset("ratelimit", zone_id=zone, kind="zone", name="rl", phase="http_ratelimit", rules=[
    {"action": "log", "expression": "true",
     "ratelimit": {"characteristics": ["cf.colo.id", "ip.src"], "period": 60, "requests_per_period": 100}}])
cloudflare.Ruleset("headers", zone_id=zone, kind="zone", name="headers", phase="http_response_headers_transform",
    rules=[{"action": "rewrite", "expression": "true", "action_parameters": {"headers": {
        "Content-Security-Policy-Report-Only": {"operation": "set", "value": "default-src 'self'"}}}}])

github.ActionsSecret("secret", repository="app", secret_name="FUNCTION_ID", plaintext_value="fn-123")
github.ActionsEnvironmentSecret("empty", repository="app", environment="production", secret_name="EMPTY")
github.RepositoryEnvironment("production", repository="app", environment="production")
github.RepositoryFile("deploy", repository="app", file=".github/workflows/deploy.yml", content="""
name: deploy
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    permissions: write-all
    steps:
      - uses: actions/checkout@v4
      - uses: docker://alpine:3
  other:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
""")
github.RepositoryFile("broken", repository="app", file=".github/workflows/broken.yaml", content="- just a list")
'''
