"""State rollback (`--state-only`, break-glass for a corrupted state): import the checkpoint the target update left.

It rewrites Pulumi's record only, not the cloud: a `pulumi refresh` and a preview must follow. On Pulumi Cloud the
checkpoint comes from `pulumi stack export --version N`; on a file:// or s3:// backend from its history files.
"""

from __future__ import annotations

import json
from typing import Any

from ops.backends import DiyStore
from ops.pulumi_cli import RollbackError

from .backups import backup_state, create_private_file, export_state, utc_stamp
from .history import Update
from .prepared import PreparedRollback


def _checkpoint_from_store(store: DiyStore, target: Update) -> tuple[dict[str, Any], str]:
    """The import document of the checkpoint after `target` in the backend's files, and the file it came from."""
    files = store.history()
    entry = files[target.index] if target.index < len(files) else None
    recorded = entry.history if entry else {}
    start = int(target.start.timestamp()) if target.start else None
    if entry is None or (recorded.get("kind"), recorded.get("result"), recorded.get("startTime")) != (
        target.kind,
        target.result,
        start,
    ):
        raise RollbackError(f"the backend's history files do not match `pulumi stack history` at {target.label()}")
    return store.import_document(entry.checkpoint), str(entry.checkpoint)


def state_rollback(prepared: PreparedRollback, target: Update) -> None:
    cli, options, backend = prepared.cli, prepared.options, prepared.backend
    document: dict[str, Any] | None = None
    if backend.kind == "cloud":
        if target.version <= 0:
            raise RollbackError(f"{target.label()} has no version number; the service did not return one")
        source = f"`pulumi stack export --version {target.version}`"
    elif prepared.store is None:
        raise RollbackError(
            f"state rollback on {backend.url} is not supported here: copy the checkpoint from "
            f".pulumi/history/<project>/{options.stack}/ by hand, wrap its `checkpoint.latest` as "
            '{"version": ..., "deployment": ...}, and `pulumi stack import --file` it'
        )
    else:
        document, source = _checkpoint_from_store(prepared.store, target)
    resources = len((document or {}).get("deployment", {}).get("resources") or []) if document else None
    print(
        f"State to restore: the checkpoint after {target.label()}, from {source}"
        + (f" ({resources} resources)." if resources is not None else ".")
    )
    if options.dry_run:
        print("Dry run: the state was not changed.")
        return
    backup_state(cli, options.stack, prepared.backups)
    restore = create_private_file(prepared.backups, f"{utc_stamp()}-restore-{target.index}.json")
    if document is None:
        export_state(cli, options.stack, restore, version=target.version)
    else:
        restore.write_text(json.dumps(document))
    prepared.confirm("replace its state with that checkpoint")
    cli.stream(["stack", "import", "--stack", options.stack, "--file", str(restore)])
    print(
        f"Imported the state of {target.label()} into {options.stack}. Only Pulumi's record changed, not the cloud: "
        f"run `pulumi refresh --stack {options.stack}` and then `pulumi preview --stack {options.stack}` before any `up`."
    )
