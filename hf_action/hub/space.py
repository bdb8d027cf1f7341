"""The Space itself: create it if missing, and bring hardware, visibility and sleep time to what was asked."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from hf_action.hub.billing import Asked
from hf_action.hub.explain import hub_said, payment_refused
from hf_action.inputs import VISIBILITIES
from hf_action.plan import RemoteFile
from hf_action.preview import BaseVisibility

if TYPE_CHECKING:
    from huggingface_hub import HfApi, SpaceInfo

Visibility = Literal["public", "private", "protected"]


@dataclass
class SpaceState:
    exists: bool
    sha: str | None = None
    private: bool | None = None
    visibility: str | None = (
        None  # public | private | protected when the info says; None: it cannot tell
    )
    sdk: str | None = None
    hardware: str | None = None  # requested flavor
    sleep_time: int | None = None
    stage: str | None = None
    host: str | None = None
    subdomain: str | None = None
    runtime: dict[str, Any] = field(default_factory=dict)  # the Hub's runtime JSON, as it is
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
        visibility=shown_visibility(info),
        sdk=info.sdk,
        hardware=hardware,
        sleep_time=raw.get("gcTimeout"),
        stage=raw.get("stage"),
        host=info.host,
        subdomain=info.subdomain,
        runtime=raw,
        files=_files(info),
    )


def shown_visibility(info: SpaceInfo) -> str | None:
    """The visibility the info states outright, or None. `private` alone cannot tell: the Hub's info
    shape for a protected Space is recorded nowhere (it may show `private: false`, as the app is
    public, or `private: true`, as the files are not). An explicit `visibility` field, or a
    `protected` flag next to `private`, would tell; SpaceInfo keeps unknown fields as attributes."""
    stated = getattr(info, "visibility", None)
    if stated in VISIBILITIES:
        return str(stated)
    protected = getattr(info, "protected", None)
    if isinstance(protected, bool) and isinstance(info.private, bool):
        return "protected" if protected else "private" if info.private else "public"
    return None


def base_visibility(api: HfApi, space_id: str) -> BaseVisibility:
    """Who may see the base Space, for its previews. The info tells when it states the visibility, or
    shows `private: true` (private or protected). `private: false` alone may be a protected Space
    (hub-2026.md): then its files are asked for without a token, and only an answer proves them
    public; a refusal means protected."""
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

    try:
        info: SpaceInfo = api.space_info(space_id)
    except RepositoryNotFoundError:
        return BaseVisibility.MISSING
    stated = shown_visibility(info)
    if stated is not None:
        return BaseVisibility(stated)
    if info.private:
        return BaseVisibility.HIDDEN
    try:
        next(iter(api.list_repo_tree(space_id, repo_type="space", token=False)), None)
    except HfHubHTTPError as exc:
        if exc.response is None or exc.response.status_code not in (401, 403, 404):
            raise
        return BaseVisibility.PROTECTED
    return BaseVisibility.PUBLIC


def _files(info: SpaceInfo) -> dict[str, RemoteFile] | None:
    files: dict[str, RemoteFile] = {}
    for s in info.siblings or ():
        if s.blob_id is None or s.size is None:
            return None  # an info without blob ids: the tree listing has them
        files[s.rfilename] = RemoteFile(
            s.rfilename, s.blob_id, s.size, s.lfs.sha256 if s.lfs else None
        )
    return files if info.siblings is not None else None


def _visibility(value: str) -> Visibility:
    """A visibility the inputs accepted (inputs.VISIBILITIES), as huggingface_hub's literal type."""
    if value == "private":
        return "private"
    if value == "protected":
        return "protected"
    assert value == "public", value  # the inputs accept these three only
    return "public"


def library_hardware() -> tuple[str, ...]:
    """The flavors huggingface_hub knows (its SpaceHardware enum): the accepted `hardware` names
    follow the installed library instead of a hand list that drifts."""
    from huggingface_hub import SpaceHardware

    return tuple(h.value for h in SpaceHardware)


def hub_hardware(endpoint: str) -> tuple[str, ...]:
    """The Hub's own listing (GET /api/spaces/hardware, no token needed): flavors the Hub added
    after the installed library was released. Only asked for a name the library does not know."""
    from huggingface_hub import HfApi

    try:
        listing = HfApi(endpoint=endpoint, library_name="hf-deploy").list_spaces_hardware(
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
    """Sent unless the info states that visibility outright. `private` alone never proves it: a
    protected Space may show either value, so `public` on `private: false` (or `private` on
    `private: true`) could be a protected Space left as it is."""
    if visibility is None or state.visibility == visibility:
        return None
    return visibility


def apply_settings(api: HfApi, space_id: str, plan: SettingsPlan, sdk: str) -> None:
    if plan.create:
        from huggingface_hub.errors import HfHubHTTPError

        asked = Asked(sdk, plan.hardware, plan.visibility, creating=True)
        try:
            with paid(space_id, asked):
                api.create_repo(
                    space_id,
                    repo_type="space",
                    space_sdk=sdk,
                    visibility=_visibility(plan.visibility or "public"),
                    space_hardware=plan.hardware,  # type: ignore[arg-type]  # a flavor the Hub lists may be newer than SpaceHardware; sent as the string it is
                    space_sleep_time=plan.sleep_time,
                )
        except HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            # 409 after a 404: either a concurrent run created it (fine) or it exists where we cannot see it.
            if status != 409 or not read_space(api, space_id).exists:
                raise
        return
    # Hardware first: it is the change the Hub may refuse (402), and then nothing else has changed.
    if plan.hardware:
        with paid(space_id, Asked(sdk, plan.hardware)):
            api.request_space_hardware(space_id, plan.hardware, sleep_time=plan.sleep_time)  # type: ignore[arg-type]  # as in create_repo above
    elif plan.sleep_time is not None:
        api.set_space_sleep_time(space_id, plan.sleep_time)
    if plan.visibility is not None:
        with paid(space_id, Asked(sdk, visibility=plan.visibility)):
            api.update_repo_settings(
                space_id, repo_type="space", visibility=_visibility(plan.visibility)
            )


@contextlib.contextmanager
def paid(space_id: str, asked: Asked) -> Iterator[None]:
    """A 402 becomes the advice of the plan rule that refused `asked`."""
    from huggingface_hub.errors import HfHubHTTPError

    try:
        yield
    except HfHubHTTPError as exc:
        if exc.response is None or exc.response.status_code != 402:
            raise
        raise payment_refused(space_id, asked, hub_said(exc)) from None
