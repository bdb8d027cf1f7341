"""The record of one run: what was deployed where, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Outcome:
    """What a run did, written as step outputs, the summary and the PR comment, also when the run
    fails after a commit (it then travels on the error: `ActionError.with_outcome`). Frozen: it is
    made and changed only by app/record.py, from what the steps returned."""

    operation: str
    space_id: str
    space_url: str
    app_url: str | None = None
    commit_sha: str | None = None
    commit_url: str | None = None
    stage: str | None = None
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted_files: list[str] = field(default_factory=list)
    unchanged: int = 0
    upload_bytes: int = 0
    settings: list[str] = field(default_factory=list)
    env_keys: list[str] = field(default_factory=list)
    env_deleted: list[str] = field(default_factory=list)  # secrets and variables deleted (exact)
    seconds: float = 0.0
    dry_run: bool = False
    committed: bool = False
    preview: bool = False
    space_deleted: bool = False
    failure: str | None = None
    log_tail: str | None = None
    notes: list[str] = field(default_factory=list)
    restored: str | None = None  # operation rollback: the revision whose files it brought back
    smoke: str | None = None  # the smoke check's result, one line (None: no check ran)
    deployment_id: int | None = None  # the GitHub Deployment made (or marked inactive)
    environment: str | None = None  # and its environment
    runs_on: str | None = None  # a preview's hardware, visibility, sleep, sets (PreviewSettings)

    @property
    def changed_files(self) -> list[str]:
        return sorted(self.added + self.changed + self.deleted_files)
