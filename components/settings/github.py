"""GitHub delivery settings: repositories, environments, flags, protection, OIDC, workflows (IF-001/002/007/008)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StrictInt, field_validator, model_validator

from .base import Arn, AwsRegion, FieldError, StrictSettings, check_cron, must_match

# GitHub: owner 1-39 alphanumerics or single hyphens; repository names of letters, digits, . _ - (not . or ..).
_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_REPO = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
# Values that the workflows write into YAML and shell environments: keep them to safe characters.
_PATH = re.compile(r"^/[A-Za-z0-9._~/%-]*$")
_IMAGE = re.compile(r"^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?$")
_NODE_VERSION = re.compile(r"^[0-9]+(\.[0-9]+){0,2}$")

# An https origin: DNS labels of letters, digits and inner hyphens, an optional port; nothing after it.
_ORIGIN = re.compile(
    r"https://(?=[^:]{1,253}(:|\Z))[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::(?P<port>[0-9]{1,5}))?"
)

ROLLOUT_STAGES = (0, 5, 10, 25, 50, 100)

# The branch GitHub runs scheduled workflows on and where the managed files are committed.
DEFAULT_BRANCH = "main"


def split_repository(full_name: str) -> tuple[str, str]:
    owner, _, name = full_name.partition("/")
    return owner, name


def _repository(full_name: str) -> str:
    owner, slash, name = full_name.partition("/")
    if not slash or not _OWNER.fullmatch(owner) or not _REPO.fullmatch(name) or name in (".", ".."):
        raise ValueError(f"'{full_name}' is not a repository name GitHub accepts (owner/name)")
    return full_name


RepositoryName = Annotated[str, AfterValidator(_repository)]
_POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[A-Za-z0-9+=,.@_/-]+$")


# Customer-managed (`<account>`) or AWS-managed (`aws`) policy.
PolicyArn = Annotated[
    str,
    AfterValidator(
        must_match(
            _POLICY_ARN, "'{value}' is not an IAM managed policy ARN (arn:aws:iam::<account or aws>:policy/<name>)"
        )
    ),
]
# GitHub's REST ids are positive integers; strict, so `true` or "123" is not silently taken for an id.
GitHubId = Annotated[StrictInt, Field(gt=0)]


GitHubPlan = Literal["free", "pro", "team", "enterprise"]
Visibility = Literal["public", "private", "internal"]


def has_environments(plan: GitHubPlan, visibility: Visibility) -> bool:
    """Environments, environment secrets and deployment-branch policies exist (GitHub: every plan for public
    repositories; Pro, Team and Enterprise for private and internal ones)."""
    return visibility == "public" or plan != "free"


def enforces_reviewers(plan: GitHubPlan, visibility: Visibility) -> bool:
    """Required reviewers and wait timers are enforced (GitHub: public repositories on every plan; private
    and internal ones only on Enterprise)."""
    return visibility == "public" or plan == "enterprise"


SecretName = Literal["FILTER_TO", "FUNCTION_ID", "ORGANISATION_ID", "SUPABASE_ACCESS_TOKEN", "SUPABASE_DB_URL"]
# The GitHub secrets of the deploy and backup environments, and the secret config key each is read from.
DEFAULT_SECRET_KEYS: dict[SecretName, str] = {
    "FILTER_TO": "filter_to",
    "FUNCTION_ID": "function_id",
    "ORGANISATION_ID": "organisation_id",
    "SUPABASE_ACCESS_TOKEN": "supabase_access_token",
    "SUPABASE_DB_URL": "supabase_db_url",
}
# The program's own secrets, never delivered to an app repository (a test keeps this list and SECRET_KEYS aligned).
PLATFORM_SECRET_KEYS = ("github_token", "cloudflare_api_token", "pagerduty_webhook_url")
# A project config key as `pulumi config set --secret <key>` takes it.
_CONFIG_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
_IDENTITY = re.compile(r"[A-Za-z0-9._-]{1,100}")


def _identity(value: str) -> str:
    if not _IDENTITY.fullmatch(value) or value in (".", ".."):
        raise ValueError(f"'{value}' is not a backup identity (1-100 letters, digits, . _ -)")
    return value


ConfigKey = Annotated[
    str,
    AfterValidator(
        must_match(
            _CONFIG_KEY, "'{value}' is not a config key (lower-case letters, digits and _, starting with a letter)"
        )
    ),
    Field(json_schema_extra={"pattern": "^[a-z][a-z0-9_]{0,63}$"}),
]
BackupIdentity = Annotated[
    str, AfterValidator(_identity), Field(json_schema_extra={"pattern": "^[A-Za-z0-9._-]{1,100}$"})
]


class RepositoryEntry(StrictSettings):
    """One managed repository with its own settings. A plain `owner/name` is shorthand for `{name: owner/name}`."""

    name: RepositoryName = Field(description="The repository as `owner/name`.")
    visibility: Visibility = Field(
        default="private",
        description="public, private or internal (Enterprise only): decides which deployment gates GitHub enforces.",
    )
    secret_keys: dict[SecretName, ConfigKey] = Field(
        default_factory=dict,
        description="Secret config key per GitHub secret, overriding the defaults (FILTER_TO: filter_to, ...)"
        " so that two apps get different values; set each key with `pulumi config set --secret <key>`.",
    )
    backup_identity: BackupIdentity | None = Field(
        default=None, description="Identity of this repository's backups (default: the repository name)."
    )

    @property
    def short_name(self) -> str:
        return split_repository(self.name)[1]

    @property
    def backup_id(self) -> str:
        """`backup_identity`, or the repository name (the part after `owner/`)."""
        return self.backup_identity or self.short_name

    def secret_key(self, secret_name: SecretName) -> str:
        """The secret config key that holds this repository's value of a GitHub secret."""
        return self.secret_keys.get(secret_name, DEFAULT_SECRET_KEYS[secret_name])


def _shorthand(value: Any) -> Any:
    # Validated here, so that an error in a plain name is reported at the list position itself.
    return {"name": _repository(value)} if isinstance(value, str) else value


RepositoryItem = Annotated[
    RepositoryEntry, BeforeValidator(_shorthand, json_schema_input_type=RepositoryName | RepositoryEntry)
]


class FeatureFlags(StrictSettings):
    """IF-002 feature flags, delivered as Actions variables of this stack's environment."""

    use_functions_architecture: bool = Field(default=False, description="NEXT_PUBLIC_USE_FUNCTIONS_ARCH.")
    enable_function_monitoring: bool = Field(default=False, description="ENABLE_FUNCTION_MONITORING.")
    rollout_percentage: int = Field(
        default=0, description="FUNCTIONS_ROLLOUT_PERCENTAGE: one of the runbook stages 0, 5, 10, 25, 50, 100."
    )

    @field_validator("rollout_percentage")
    @classmethod
    def _stage(cls, value: int) -> int:
        if value not in ROLLOUT_STAGES:
            raise ValueError(f"must be one of the rollout stages {list(ROLLOUT_STAGES)}")
        return value

    @model_validator(mode="after")
    def _flag_consistency(self) -> FeatureFlags:
        if self.rollout_percentage and not self.use_functions_architecture:
            raise FieldError(
                "rollout_percentage", "must be 0 while use_functions_architecture is false (nothing to roll out)"
            )
        return self


# GitHub's limit of required reviewers per environment, users and teams together.
MAX_REVIEWERS = 6


class Reviewers(StrictSettings):
    """Required reviewers of a deployment environment, as numeric GitHub ids."""

    users: list[GitHubId] = Field(default_factory=list, max_length=6, description="User ids (`gh api users/NAME`).")
    teams: list[GitHubId] = Field(default_factory=list, max_length=6, description="Team ids (`gh api orgs/O/teams/T`).")

    @model_validator(mode="after")
    def _total(self) -> Reviewers:
        # GitHub: "up to six users or teams" per environment, the two lists together.
        total = len(self.users) + len(self.teams)
        if total > MAX_REVIEWERS:
            raise FieldError(
                "teams" if self.teams else "users",
                f"{total} reviewers in total; GitHub allows at most {MAX_REVIEWERS} users and teams together",
            )
        return self

    @property
    def has_any(self) -> bool:
        return bool(self.users or self.teams)


class BranchProtectionSettings(StrictSettings):
    """Protection of `main` and `develop`."""

    branches: list[str] = Field(
        default_factory=lambda: ["main", "develop"], min_length=1, description="Protected branches."
    )
    required_approvals: int = Field(default=1, ge=1, le=6, description="Approving reviews needed to merge.")
    required_checks: list[str] = Field(
        default_factory=lambda: ["test-functions"],
        min_length=1,
        description="Status checks (the deploy workflow's test job).",
    )
    conversation_resolution: bool = Field(default=True, description="Every review thread resolved before merging.")
    enforce_admins: bool = Field(default=True, description="Apply the rules to administrators too.")

    @field_validator("branches", "required_checks")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        for item in value:
            if not item.strip():
                raise ValueError("must not contain an empty name")
        if len(set(value)) != len(value):
            raise ValueError("must not list a name twice")
        return value


class OidcSettings(StrictSettings):
    """How GitHub Actions reaches AWS: short-lived OIDC credentials, never stored keys."""

    create_provider: bool = Field(
        default=True, description="Create the account's token.actions.githubusercontent.com provider (one per account)."
    )
    provider_arn: Arn | None = Field(
        default=None, description="ARN of the existing provider when create_provider is false."
    )
    deploy_policy_arns: list[PolicyArn] = Field(
        default_factory=list, description="Managed policies for a deploy role; no deploy role when empty."
    )

    @model_validator(mode="after")
    def _provider(self) -> OidcSettings:
        if not self.create_provider and self.provider_arn is None:
            raise FieldError("provider_arn", "is required when create_provider is false")
        if self.create_provider and self.provider_arn is not None:
            raise FieldError("provider_arn", "must be empty when create_provider is true")
        return self


class PerformanceThresholds(StrictSettings):
    """IF-008 performance gates, turned into k6 thresholds."""

    p95_ms: float = Field(default=200, gt=0, description="95th percentile latency budget (ms).")
    p99_ms: float = Field(default=500, gt=0, description="99th percentile latency budget (ms).")
    error_rate_percent: float = Field(default=0.1, ge=0, le=100, description="Failed-request budget (%).")
    throughput_rps: float = Field(default=1000, gt=0, description="Minimum sustained requests per second.")
    duration_seconds: int = Field(default=120, ge=10, le=3600, description="Length of the k6 load run (s).")
    max_virtual_users: int = Field(
        default=1000, ge=1, le=10000, description="Upper bound of k6 virtual users that sustain the arrival rate."
    )
    paths: list[str] = Field(
        default_factory=lambda: ["/api/health"],
        min_length=1,
        description="Paths of the staging app that the k6 run requests in turn.",
    )

    @field_validator("paths")
    @classmethod
    def _paths(cls, value: list[str]) -> list[str]:
        for path in value:
            if not _PATH.fullmatch(path):
                raise ValueError(f"'{path}' is not an absolute URL path (starting with /, no spaces or quotes)")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> PerformanceThresholds:
        if self.p99_ms < self.p95_ms:
            raise FieldError("p99_ms", "must not be below p95_ms")
        return self


class WorkflowSettings(StrictSettings):
    """What the committed workflow files need to know."""

    manage_files: bool = Field(
        default=False, description="Commit the workflow files and .env.example (exactly one stack should own them)."
    )
    staging_url: str = Field(description="Base URL of the staging app (health checks, k6).")
    production_url: str = Field(description="Base URL of the production app (health checks).")
    health_path: str = Field(default="/api/health", description="Health-check path that validates env vars (IF-001).")
    node_version: str = Field(default="20", description="Node.js major version of the app.")
    performance: PerformanceThresholds = Field(default_factory=PerformanceThresholds)  # pyright: ignore[reportArgumentType]
    performance_schedule: str = Field(
        default="0 4 * * *", description="Cron (UTC) of the scheduled k6 run against staging, besides after deploys."
    )
    restore_drill_schedule: str = Field(
        default="0 5 1 * *", description="Cron (UTC) of the monthly restore drill (IF-009 monthly recovery drills)."
    )
    restore_drill_image: str = Field(
        default="supabase/postgres:17.4.1.055",
        description="Image of the throwaway Postgres the drill restores into (Supabase's, so its roles and schemas exist).",
    )
    aws_region: AwsRegion = Field(
        default="us-east-1",
        description="Region of the deploy role's credentials (only used when a deploy role exists).",
    )

    @field_validator("staging_url", "production_url")
    @classmethod
    def _https(cls, value: str) -> str:
        match = _ORIGIN.fullmatch(value)
        if not match or not 1 <= int(match["port"] or 443) <= 65535:
            raise ValueError("must be an https:// origin (host name, optional port) without a path")
        return value

    _health_path = field_validator("health_path")(
        must_match(_PATH, "must be an absolute URL path (starting with /, no spaces or quotes)")
    )
    _node_version = field_validator("node_version")(
        must_match(_NODE_VERSION, "must be a Node.js version such as 20 or 20.11.1")
    )

    @field_validator("performance_schedule", "restore_drill_schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        return check_cron(value)

    @field_validator("restore_drill_image")
    @classmethod
    def _image(cls, value: str) -> str:
        if not _IMAGE.fullmatch(value) or value.endswith(":latest") or ":" not in value.rsplit("/", 1)[-1]:
            raise ValueError("must be an image with an explicit tag or digest (not latest), e.g. postgres:17")
        return value


class GitHubSettings(StrictSettings):
    """Managed app repositories and what this stack's environment gets in them."""

    owner: str = Field(description="GitHub organisation or user that owns the repositories.")
    plan: GitHubPlan = Field(
        description="The owner's GitHub plan (free, pro, team, enterprise): with each repository's visibility it"
        " decides whether required reviewers and wait timers are enforced."
    )
    repositories: list[RepositoryItem] = Field(
        default_factory=list, description="Managed repositories: entries, or plain `owner/name` as shorthand."
    )
    deploy_branch: Literal["develop", "main"] = Field(description="Branch that deploys to this stack's environment.")
    reviewers: Reviewers = Field(default_factory=Reviewers, description="Required deployment reviewers.")
    wait_timer_minutes: int = Field(default=0, ge=0, le=43200, description="Delay before a deployment proceeds.")
    feature_flags: FeatureFlags = Field(default_factory=FeatureFlags)  # pyright: ignore[reportArgumentType]
    manage_repository_settings: bool = Field(
        default=False, description="Own branch protection of the repositories (exactly one stack should)."
    )
    branch_protection: BranchProtectionSettings = Field(default_factory=BranchProtectionSettings)  # pyright: ignore[reportArgumentType]
    oidc: OidcSettings = Field(default_factory=OidcSettings)  # pyright: ignore[reportArgumentType]
    workflows: WorkflowSettings = Field(description="Workflow-file settings.")

    _owner = field_validator("owner")(must_match(_OWNER, "'{value}' is not a valid GitHub owner name"))

    @field_validator("repositories")
    @classmethod
    def _repositories(cls, value: list[RepositoryEntry]) -> list[RepositoryEntry]:
        seen: set[str] = set()
        identities: dict[str, str] = {}
        for entry in value:
            if entry.name.lower() in seen:
                raise ValueError(f"'{entry.name}' is listed twice (GitHub names are case-insensitive)")
            seen.add(entry.name.lower())
            other = identities.setdefault(entry.backup_id.lower(), entry.name)
            if other != entry.name:
                raise ValueError(
                    f"'{entry.name}' and '{other}' share the backup identity '{entry.backup_id}'; give one its own"
                    " backup_identity"
                )
        return value

    @property
    def repository_names(self) -> list[str]:
        return [entry.name for entry in self.repositories]

    def secret_config_keys(self) -> set[str]:
        """Every secret config key a repository entry reads (the defaults and the overrides)."""
        return {entry.secret_key(name) for entry in self.repositories for name in DEFAULT_SECRET_KEYS}

    def without_enforced_reviewers(self) -> list[RepositoryEntry]:
        """Repositories where GitHub would not enforce required reviewers or a wait timer."""
        return [e for e in self.repositories if not enforces_reviewers(self.plan, e.visibility)]

    @model_validator(mode="after")
    def _plan_features(self) -> GitHubSettings:
        for index, entry in enumerate(self.repositories):
            if entry.visibility == "internal" and self.plan != "enterprise":
                raise FieldError(
                    f"repositories.{index}.visibility", "internal repositories exist only on the enterprise plan"
                )
            if not has_environments(self.plan, entry.visibility):
                raise FieldError(
                    f"repositories.{index}.visibility",
                    f"'{entry.name}' is {entry.visibility} on the free plan, where GitHub has no environments (so"
                    " no environment secrets, deployment-branch policies or the OIDC subjects the AWS roles"
                    " trust); make it public or move the owner to the pro, team or enterprise plan",
                )
        unenforced = self.without_enforced_reviewers()
        if unenforced:
            names = ", ".join(f"{e.name} ({e.visibility})" for e in unenforced)
            why = f"GitHub does not enforce {{what}} on the {self.plan} plan for {names}"
            instead = (
                "; remove it: the deployment gate is then the protected deploy branch (required reviews, and the"
                " environment restricted to that branch), or make the repository public, or use the enterprise plan"
            )
            if self.reviewers.has_any:
                raise FieldError("reviewers", why.format(what="required reviewers") + instead)
            if self.wait_timer_minutes:
                raise FieldError("wait_timer_minutes", why.format(what="wait timers") + instead)
        return self

    @model_validator(mode="after")
    def _same_owner(self) -> GitHubSettings:
        for index, entry in enumerate(self.repositories):
            if split_repository(entry.name)[0].lower() != self.owner.lower():
                raise FieldError(
                    f"repositories.{index}", f"'{entry.name}' is not owned by {self.owner} (the provider's owner)"
                )
        protects_default = self.manage_repository_settings and DEFAULT_BRANCH in self.branch_protection.branches
        if self.workflows.manage_files and protects_default and self.branch_protection.enforce_admins:
            # The files are committed straight to the default branch; GitHub refuses that push when the
            # protection also binds admins (no status check can have run on the new commit).
            raise FieldError(
                "branch_protection.enforce_admins",
                f"must be false while workflows.manage_files commits to the protected {DEFAULT_BRANCH} branch"
                " (the stack's admin token pushes the managed files directly)",
            )
        return self
