"""The plan as the log shows it, before anything is written: a deploy's files, settings, secrets
and variables, or a rollback's copies; the first `PLAN_LINES` changes, then a count."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hf_action.github.runner import Runner
from hf_action.local.files import SkipKind
from hf_action.local.snapshot import Snapshot
from hf_action.plan import ChangeKind, Plan, Restore
from hf_action.text import counted, human_size

if TYPE_CHECKING:
    from hf_action.hub.history import Revision
    from hf_action.hub.space import SettingsPlan
    from hf_action.hub.variables import EnvPlan

PLAN_LINES = 200


def print_plan(
    runner: Runner, snap: Snapshot, plan: Plan, settings: SettingsPlan, env_plan: EnvPlan | None
) -> None:
    """A deploy's plan in one log group; what was skipped, and the snapshot's warnings, after it."""
    with runner.group(
        f"Plan: {len(plan.add)} to upload, {len(plan.delete)} to delete, {plan.unchanged} unchanged"
    ):
        runner.info(f"SDK: {snap.sdk}; Space card from {snap.card_source}")
        if plan.hashed_bytes:  # what comparing by content cost: git's blob ids spare the rest
            runner.info(f"Read {human_size(plan.hashed_bytes)} of local files to compare them")
        for note in snap.notes:
            runner.info(note)
        for line in settings.describe():
            runner.info(f"  setting: {line}")
        if env_plan is not None:
            _print_env(runner, env_plan)
        rows = [
            (("+" if c.kind is ChangeKind.NEW else "~"), c.file.path, human_size(c.file.size))
            for c in plan.add
        ]
        _print_rows(runner, rows + [("-", p, "") for p in plan.delete])
        for kept in plan.kept:
            runner.info(f"  = {kept!r} kept on the Space")
        for s in snap.skipped:
            runner.info(f"  ! {s.path!r} not uploaded: {s.reason}")
    for s in snap.skipped:
        if s.kind is SkipKind.OUTSIDE_WORKSPACE:
            runner.warning(
                f"{s.path!r} {s.reason}; it was not uploaded.", title="Symlink not followed"
            )
    for w in snap.warnings:
        runner.warning(w, title="App file missing")  # a Streamlit app without its entry point


def print_restore(runner: Runner, rev: Revision, restore: Restore) -> None:
    """A rollback's plan: the revision, then each file copied on the Hub or sent again."""
    back = f"{counted(rev.newer, 'commit')} back" if rev.newer else "the head"
    with runner.group(
        f"Rollback plan: to {rev.sha[:7]} ({back}): {len(restore.copy)} to copy,"
        f" {len(restore.delete)} to delete, {restore.unchanged} unchanged"
    ):
        runner.info(f"Revision {rev.sha}: {rev.title!r}")
        rows = [
            ("+" if f.path in restore.added else "~", f.path,
             "copied on the Hub" if f.lfs_sha256 else f"{human_size(f.size)} sent again")
            for f in restore.copy
        ]  # fmt: skip
        _print_rows(runner, rows + [("-", p, "") for p in restore.delete])


def _print_env(runner: Runner, env_plan: EnvPlan) -> None:
    from hf_action.hub.variables import describe_keys as keys  # not loaded by a no-op deploy

    runner.info(
        f"  secrets to set: {keys(env_plan.secrets_to_set)}"
        f" (unchanged: {keys(env_plan.secrets_unchanged)})"
    )
    runner.info(
        f"  variables to set: {keys(env_plan.variables_to_set)}"
        f" (unchanged: {keys(env_plan.variables_unchanged)})"
    )
    if env_plan.secrets_to_delete or env_plan.variables_to_delete:
        runner.info(
            f"  secrets to delete: {keys(env_plan.secrets_to_delete)};"
            f" variables to delete: {keys(env_plan.variables_to_delete)} (exact mode)"
        )


def _print_rows(runner: Runner, rows: list[tuple[str, str, str]]) -> None:
    for mark, path, how in rows[:PLAN_LINES]:
        runner.info(f"  {mark} {path!r}  {how}".rstrip())
    if len(rows) > PLAN_LINES:
        runner.info(f"  … and {len(rows) - PLAN_LINES} more")
