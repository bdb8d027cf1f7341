"""The Space itself: create it if missing, and bring hardware, visibility and sleep time to what was asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hf_action.plan import RemoteFile

if TYPE_CHECKING:
    from huggingface_hub import HfApi, SpaceInfo


@dataclass
class SpaceState:
    exists: bool
    sha: str | None = None
    private: bool | None = None
    sdk: str | None = None
    hardware: str | None = None  # requested flavor
    sleep_time: int | None = None
    stage: str | None = None
    host: str | None = None
    subdomain: str | None = None
    runtime: dict = field(default_factory=dict)
    files: dict[str, RemoteFile] | None = (
        None  # from the same response; None: list the tree instead
    )


def read_space(api: HfApi, space_id: str) -> SpaceState:
    from huggingface_hub.errors import RepositoryNotFoundError

    try:
        # files_metadata: the head, the settings and every file's blob id in one request.
        info: SpaceInfo = api.space_info(space_id, files_metadata=True)
    except RepositoryNotFoundError:
        return SpaceState(exists=False)
    raw = info.runtime.raw if info.runtime else {}
    hardware = (raw.get("hardware") or {}).get("requested") or (raw.get("hardware") or {}).get(
        "current"
    )
    return SpaceState(
        exists=True,
        sha=info.sha,
        private=info.private,
        sdk=info.sdk,
        hardware=hardware,
        sleep_time=raw.get("gcTimeout"),
        stage=raw.get("stage"),
        host=info.host,
        subdomain=info.subdomain,
        runtime=raw,
        files=_files(info),
    )


def _files(info: SpaceInfo) -> dict[str, RemoteFile] | None:
    siblings = info.siblings
    if siblings is None or any(s.blob_id is None or s.size is None for s in siblings):
        return None
    return {
        s.rfilename: RemoteFile(s.rfilename, s.blob_id, s.size, s.lfs.sha256 if s.lfs else None)
        for s in siblings
    }


@dataclass(frozen=True)
class SettingsPlan:
    create: bool
    hardware: str | None = None  # to request; None = leave
    private: bool | None = None
    sleep_time: int | None = None

    @property
    def changes(self) -> bool:
        return (
            self.create
            or bool(self.hardware)
            or self.private is not None
            or self.sleep_time is not None
        )

    def describe(self) -> list[str]:
        lines = []
        if self.create:
            lines.append("create the Space")
        if self.hardware:
            lines.append(f"hardware → {self.hardware}")
        if self.private is not None:
            lines.append(f"visibility → {'private' if self.private else 'public'}")
        if self.sleep_time is not None:
            lines.append(f"sleep time → {self.sleep_time}s")
        return lines


def plan_settings(
    state: SpaceState, hardware: str | None, visibility: str | None, sleep_time: int | None
) -> SettingsPlan:
    private = None if visibility is None else visibility == "private"
    if sleep_time is not None and (hardware or state.hardware or "cpu-basic") == "cpu-basic":
        # Free hardware always sleeps after 48 h; the Hub ignores (and the client warns about) a value.
        sleep_time = None
    if not state.exists:
        return SettingsPlan(create=True, hardware=hardware, private=private, sleep_time=sleep_time)
    return SettingsPlan(
        create=False,
        hardware=hardware if hardware and hardware != state.hardware else None,
        private=private if private is not None and private != state.private else None,
        sleep_time=sleep_time
        if sleep_time is not None and sleep_time != state.sleep_time
        else None,
    )


def apply_settings(api: HfApi, space_id: str, plan: SettingsPlan, sdk: str) -> None:
    if plan.create:
        from huggingface_hub.errors import HfHubHTTPError

        try:
            api.create_repo(
                space_id,
                repo_type="space",
                space_sdk=sdk,
                private=bool(plan.private),
                space_hardware=plan.hardware,
                space_sleep_time=plan.sleep_time,
            )
        except HfHubHTTPError as exc:
            # 409 after a 404: either a concurrent run created it (fine) or it exists where we cannot see it.
            if (
                exc.response is None
                or exc.response.status_code != 409
                or not read_space(api, space_id).exists
            ):
                raise
        return
    # Hardware first: it is the change the Hub may refuse (402), and then nothing else has changed.
    if plan.hardware:
        api.request_space_hardware(space_id, plan.hardware, sleep_time=plan.sleep_time)
    elif plan.sleep_time is not None:
        api.set_space_sleep_time(space_id, plan.sleep_time)
    if plan.private is not None:
        api.update_repo_settings(space_id, repo_type="space", private=plan.private)
