"""The Space itself: create it if missing, and bring hardware, visibility and sleep time to what was asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hf_action.errors import ActionError
from hf_action.hub.urls import endpoint
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


def library_hardware() -> tuple[str, ...]:
    """The flavors huggingface_hub knows (its SpaceHardware enum): the accepted `hardware` names
    follow the installed library instead of a hand list that drifts."""
    from huggingface_hub import SpaceHardware

    return tuple(h.value for h in SpaceHardware)


def hub_hardware() -> tuple[str, ...]:
    """The Hub's own listing (GET /api/spaces/hardware, no token needed): flavors the Hub added
    after the installed library was released. Only asked for a name the library does not know."""
    from huggingface_hub import HfApi

    try:
        listing = HfApi(endpoint=endpoint(), library_name="hf-deploy").list_spaces_hardware(
            token=False
        )
    except Exception:  # a fallback: without the listing the library's names still decide
        return ()
    return tuple(h.name for h in listing)


@dataclass(frozen=True)
class SettingsPlan:
    create: bool
    hardware: str | None = None  # to request; None = leave
    visibility: str | None = None  # "public" | "private" | "protected"; None = leave
    sleep_time: int | None = None

    @property
    def changes(self) -> bool:
        return self.restarts or self.visibility is not None or self.sleep_time is not None

    @property
    def restarts(self) -> bool:
        """Changes after which the Space builds or starts again: a new Space, new hardware.
        Visibility and sleep time restart nothing (`POST .../sleeptime` only sets gcTimeout)."""
        return self.create or bool(self.hardware)

    def describe(self) -> list[str]:
        lines = []
        if self.create:
            lines.append("create the Space")
        if self.hardware:
            lines.append(f"hardware → {self.hardware}")
        if self.visibility is not None:
            lines.append(f"visibility → {self.visibility}")
        if self.sleep_time is not None:
            lines.append(f"sleep time → {self.sleep_time}s")
        return lines


def plan_settings(
    state: SpaceState, hardware: str | None, visibility: str | None, sleep_time: int | None
) -> SettingsPlan:
    if sleep_time is not None and (hardware or state.hardware or "cpu-basic") == "cpu-basic":
        # Free hardware always sleeps after 48 h; the Hub ignores (and the client warns about) a value.
        sleep_time = None
    if not state.exists:
        return SettingsPlan(
            create=True, hardware=hardware, visibility=visibility, sleep_time=sleep_time
        )
    return SettingsPlan(
        create=False,
        hardware=hardware if hardware and hardware != state.hardware else None,
        visibility=_visibility_change(state, visibility),
        sleep_time=sleep_time
        if sleep_time is not None and sleep_time != state.sleep_time
        else None,
    )


def _visibility_change(state: SpaceState, visibility: str | None) -> str | None:
    """`protected` is always sent: the Space info has no field that tells it from the other two."""
    if visibility is None or visibility == "protected":
        return visibility
    return visibility if (visibility == "private") != state.private else None


def apply_settings(api: HfApi, space_id: str, plan: SettingsPlan, sdk: str) -> None:
    if plan.create:
        from huggingface_hub.errors import HfHubHTTPError

        try:
            api.create_repo(
                space_id,
                repo_type="space",
                space_sdk=sdk,
                visibility=plan.visibility or "public",
                space_hardware=plan.hardware,
                space_sleep_time=plan.sleep_time,
            )
        except HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status == 402 and _plan_gate(exc, sdk, plan.hardware):
                raise plan_required(space_id, sdk) from None
            # 409 after a 404: either a concurrent run created it (fine) or it exists where we cannot see it.
            if status != 409 or not read_space(api, space_id).exists:
                raise
        return
    # Hardware first: it is the change the Hub may refuse (402), and then nothing else has changed.
    if plan.hardware:
        api.request_space_hardware(space_id, plan.hardware, sleep_time=plan.sleep_time)
    elif plan.sleep_time is not None:
        api.set_space_sleep_time(space_id, plan.sleep_time)
    if plan.visibility is not None:
        api.update_repo_settings(space_id, repo_type="space", visibility=plan.visibility)


def _plan_gate(exc, sdk: str, hardware: str | None) -> bool:
    """The 402 of the 2026 plan rules, not one for paid hardware: the Hub's text names static
    Spaces, or a compute SDK on free hardware was refused."""
    said = str(getattr(exc, "server_message", None) or exc)
    return "Static Spaces" in said or (sdk != "static" and hardware in (None, "cpu-basic"))


def plan_required(space_id: str, sdk: str) -> ActionError:
    """Since 2026-07-21 a free account cannot create Gradio/Docker Spaces: say the three ways out."""
    return ActionError(
        f"The Hub refused to create the {sdk} Space '{space_id}' (402): since 2026-07-21 creating"
        " a Gradio or Docker Space needs a paid plan. Nothing was written.",
        "Three ways out: deploy a static Space (sdk: static; free for everyone), subscribe to PRO"
        " (https://huggingface.co/pro), or deploy to an organization with a paid plan (Team or"
        " Enterprise). Spaces that already exist keep deploying; each pull-request preview is a"
        " new Space, so previews need the plan too.",
        title="Paid plan required to create this Space",
    )
