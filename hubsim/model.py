"""The Hub with no HTTP: repositories, commits, the Spaces' lifecycle, secrets and variables, plan
and quota rules. Handlers and tests call it; ``hub.HubSim`` serves it."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import weakref
from collections import deque
from enum import Enum, auto
from typing import Any

from . import frontmatter
from .auth import Auth
from .clock import RealClock, SimClock
from .counters import Counters
from .errors import HubError, bad_request, rate_limited
from .lifecycle import SpaceRuntimeState
from .oidc import Oidc
from .plans import ZEROGPU, Plans
from .quota import ApiQuota, Tally
from .settings import Settings
from .state import (
    BlobStore,
    Commit,
    FileEntry,
    Repo,
    commit_oid,
    git_blob_oid,
    iso_at,
)
from .xet import XetBlobs, XetCas


class Restart(Enum):
    """Why a Space restarts: asked (``restart``), a factory reboot, a visit, or a settings change."""

    ASKED = auto()
    FACTORY = auto()
    WAKE = auto()
    SECRET = auto()
    VARIABLE = auto()
    HARDWARE = auto()

    @property
    def by_settings(self) -> bool:
        return self in (Restart.SECRET, Restart.VARIABLE, Restart.HARDWARE)


class Setting(Enum):
    """A Space's secrets (write-only) and variables (readable)."""

    SECRET = auto()
    VARIABLE = auto()

    @property
    def restart(self) -> Restart:
        return Restart.SECRET if self is Setting.SECRET else Restart.VARIABLE


FREE_HARDWARE = frozenset({"cpu-basic"})
PRO_HARDWARE = frozenset({"cpu-basic", "cpu-upgrade", "zero-a10g"})
GITATTRIBUTES = (
    "\n".join(
        f"{p} filter=lfs diff=lfs merge=lfs -text"
        for p in (
            "*.7z",
            "*.arrow",
            "*.bin",
            "*.bz2",
            "*.ckpt",
            "*.ftz",
            "*.gz",
            "*.h5",
            "*.joblib",
            "*.lfs.*",
            "*.mlmodel",
            "*.model",
            "*.msgpack",
            "*.npy",
            "*.npz",
            "*.onnx",
            "*.ot",
            "*.parquet",
            "*.pb",
            "*.pickle",
            "*.pkl",
            "*.pt",
            "*.pth",
            "*.rar",
            "*.safetensors",
            "saved_model/**/*",
            "*.tar.*",
            "*.tar",
            "*.tflite",
            "*.tgz",
            "*.wasm",
            "*.xz",
            "*.zip",
            "*.zst",
            "*tfevents*",
        )
    )
    + "\n"
)


class Hub:
    """One simulated Hub: its state, its rules and the clock they run on."""

    def __init__(
        self,
        user: str = "user",
        tokens: dict[str, str] | None = None,
        settings: Settings | None = None,
        *,
        clock: SimClock | None = None,
    ) -> None:
        self.user = user
        self.settings = settings if settings is not None else Settings()  # the knobs
        self.clock: SimClock = clock if clock is not None else RealClock()
        self.auth = Auth(user, tokens if tokens is not None else {"hf_write_token": "write"})
        self.app_visits: list[tuple[str, str, bool]] = []  # (space id, path, with a token)
        self.counters = Counters()
        self.repos: dict[tuple[str, str], Repo] = {}
        self.lock = threading.RLock()
        self._blob_dir = tempfile.mkdtemp(prefix="hubsim-")
        self._finalizer = weakref.finalize(self, shutil.rmtree, self._blob_dir, True)
        self.blobs = BlobStore(self._blob_dir)
        self.xet = XetCas(os.path.join(self._blob_dir, "xet"), self.counters)
        self.xet_blobs = XetBlobs(self.xet)
        self.oidc = Oidc(user, self.settings)  # keyless: trusted publishers, exchanged tokens
        self.auth.scoped_lookup = self.oidc.lookup
        self.plans = Plans()  # plan rules since 2026-07-21 (off by default)
        self.lfs_objects: dict[str, int] = {}  # sha256 -> size, uploaded and verified
        self.pending_lfs: dict[str, int] = {}  # uploaded, not verified yet
        self._creations: deque[float] = deque()
        self.api_quota = ApiQuota()  # per user: settings.api_quota per settings.api_window

    def now(self) -> float:
        """The simulator's monotonic time (its clock's)."""
        return self.clock.monotonic()

    def iso_now(self) -> str:
        """The API's clock, formatted like the Hub (``lastModified``, ``updatedAt``)."""
        return iso_at(self.clock.time())

    def add_org(self, name: str, members: dict[str, str]) -> None:
        """Organisation with member roles ("read" | "write" | "admin")."""
        self.auth.add_org(name, members)

    def set_quota(
        self,
        *,
        pro: bool | None = None,
        billing: bool | None = None,
        space_creations: int | None = None,
        window: float | None = None,
        retry_after: int | None = None,
    ) -> None:
        """``pro`` lifts the paid-hardware 402 for the plan's flavors (the account's plan),
        ``billing`` for every flavor (a payment method on file: GPUs are billed by the minute); the
        others are the settings' creation quota: > ``space_creations`` per ``window`` s -> 429."""
        if pro is not None:
            self.auth.pro = pro
        if billing is not None:
            self.auth.billing = billing
        if space_creations is not None:
            self.settings.space_creations = space_creations
        if window is not None:
            self.settings.creation_window = window
        if retry_after is not None:
            self.settings.creation_retry_after = retry_after

    def count_api(self, user: str | None, path: str) -> Tally | None:
        """One request of `user` against the API quota (None: no quota, not the API, anonymous)."""
        limit = self.settings.api_quota
        if limit is None or user is None or not path.startswith("/api/"):
            return None
        window = self.settings.api_window * self.settings.time_scale
        return self.api_quota.take(user, limit, window, self.now())

    def spend_api(self, used: int, reset_in: float, user: str | None = None) -> None:
        """Other jobs of `user` (the simulator's user) spent `used` requests of a window that
        resets in `reset_in` seconds (times ``time_scale``, as the window)."""
        scale = self.settings.time_scale
        self.api_quota.spend(
            user or self.user, self.settings.api_window * scale, self.now(), used=used,
            reset_in=reset_in * scale,
        )  # fmt: skip

    def take_name(self, repo_id: str, repo_type: str = "space", sdk: str = "gradio") -> Repo:
        """Pre-create a private repo as if another member owned it (create -> 409)."""
        return self.create_repo(repo_id, repo_type=repo_type, sdk=sdk, private=True)

    def repo(self, repo_id: str, repo_type: str = "space") -> Repo | None:
        return self.repos.get((repo_type, repo_id))

    # ----------------------------------------------------------------- rules used by the routes
    def check_hardware(self, flavor: str, repo_id: str | None = None) -> None:
        """402 for paid hardware without a plan; ZeroGPU has its own limits (plans.check_zerogpu)."""
        if flavor == ZEROGPU and repo_id is not None:
            self.plans.check_zerogpu(self, repo_id.split("/")[0], repo_id)
            return
        allowed = PRO_HARDWARE if self.auth.pro else FREE_HARDWARE
        if flavor not in allowed and not self.auth.billing:
            raise HubError(
                402,
                f"Payment required: you need to add a payment method to your account to use "
                f"'{flavor}' hardware. Free accounts can only use cpu-basic.",
            )

    def check_creation_rate(self) -> None:
        limit = self.settings.space_creations
        if limit is None:
            return
        now = self.now()
        while self._creations and now - self._creations[0] > self.settings.creation_window:
            self._creations.popleft()
        if len(self._creations) >= limit:
            raise rate_limited(self.settings.creation_retry_after, "space-creation")
        self._creations.append(now)

    # ----------------------------------------------------------------- state operations
    def create_repo(
        self,
        repo_id: str,
        *,
        repo_type: str = "space",
        sdk: str | None = "gradio",
        private: bool = False,
        hardware: str | None = None,
        sleep_time: int | None = None,
    ) -> Repo:
        """Create a repo with the Hub's initial commit (.gitattributes, README card for Spaces)."""
        repo = Repo(
            repo_id, repo_type, private, sdk if repo_type == "space" else None, self.iso_now()
        )
        initial = {".gitattributes": GITATTRIBUTES.encode()}
        if repo_type == "space":
            name = repo_id.split("/", 1)[1]
            initial["README.md"] = (
                f"---\ntitle: {name}\nemoji: 🚀\ncolorFrom: blue\ncolorTo: green\nsdk: {sdk}\n"
                f"pinned: false\n---\n\nCheck out the configuration reference at "
                f"https://huggingface.co/docs/hub/spaces-config-reference\n"
            ).encode()
            if sdk == "static":
                initial["index.html"] = (
                    b"<!doctype html>\n<html><body><h1>Welcome</h1></body></html>\n"
                )
            repo.hardware = hardware or "cpu-basic"
            repo.sleep_time = sleep_time
        files = {p: self.store_regular(data) for p, data in initial.items()}
        oid = commit_oid(files, None, "initial commit")
        repo.commits.append(
            Commit(oid, "initial commit", "", None, "system", repo.created_at, files)
        )
        repo.files = dict(files)
        if repo_type == "space":
            repo.space = SpaceRuntimeState(
                repo.sdk, repo.files, self.settings.variants, self.clock.monotonic
            )
        with self.lock:
            self.repos[(repo_type, repo_id)] = repo
        return repo

    def delete_repo(self, repo_type: str, repo_id: str) -> None:
        with self.lock:
            self.repos.pop((repo_type, repo_id), None)

    def store_regular(self, data: bytes) -> FileEntry:
        oid = git_blob_oid(data)
        self.blobs.put_bytes("git-" + oid, data)
        return FileEntry(oid, len(data), None, self.blobs, "git-" + oid)

    def apply_commit(
        self, repo: Repo, files: dict[str, FileEntry], title: str, message: str, author: str
    ) -> Commit:
        """Record a new head and, for Spaces, queue a build behind the stale window."""
        with repo.lock:
            parent = repo.head
            full = title + ("\n\n" + message if message else "")
            commit = Commit(
                commit_oid(files, parent, full),
                title,
                message,
                parent,
                author,
                self.iso_now(),
                dict(files),
            )
            repo.commits.append(commit)
            repo.files = dict(files)
            self.counters.bump("commits")
            if repo.space is not None:
                self._sync_sdk(repo)
                repo.space.start_build(
                    commit.oid,
                    repo.files,
                    repo.sdk,
                    self.settings.lifecycle,
                    self.settings.time_scale,
                    stale=True,
                    now=self.now(),
                    wall_now=self.clock.time(),
                )
                self.counters.bump("builds")
        return commit

    def restart(self, repo: Repo, cause: Restart = Restart.ASKED) -> None:
        """Restart the Space without a stale window, as ``variants.settings_restart`` says (a
        factory reboot, or a wake, always rebuilds); a paused Space stays paused on a settings
        change."""
        space, mode = repo.space, self.settings.variants.settings_restart
        with space.lock:
            if cause.by_settings and space.paused:
                return
            if mode == "variables-quiet" and cause is Restart.VARIABLE:
                return
            space.paused = False
            now, wall = self.now(), self.clock.time()
            container = mode == "container" and cause not in (Restart.FACTORY, Restart.WAKE)
            if container and space.restart_container(
                now, wall, self.settings.lifecycle, self.settings.time_scale
            ):
                self.counters.bump("restarts")
                return
            space.start_build(
                repo.head,
                repo.files,
                repo.sdk,
                self.settings.lifecycle,
                self.settings.time_scale,
                stale=False,
                now=now,
                named=mode == "rebuild-named" and cause is not Restart.WAKE,
                wall_now=wall,
            )
        if cause is Restart.FACTORY:
            self.counters.bump("factory_reboots")  # a rebuild without the build cache
        self.counters.bump("restarts")
        self.counters.bump("builds")

    # ----------------------------------------------------------------- Space settings
    def admit_space(self, repo_id: str, sdk: Any, hardware: str | None) -> None:
        """What a new Space must pass: a known sdk, the plan's gate, the hardware's, the
        creation quota."""
        if sdk not in frontmatter.VALID_SDKS:
            raise bad_request(f'"sdk" must be one of {", ".join(frontmatter.VALID_SDKS)}')
        self.plans.check_create(self, repo_id.split("/")[0], sdk, hardware)
        if hardware:
            self.check_hardware(hardware, repo_id)
        self.check_creation_rate()

    @staticmethod
    def set_visibility(repo: Repo, visibility: Any) -> None:
        """``public``, ``private`` or ``protected`` (Spaces only: the app public, the files not)."""
        if visibility not in ("public", "private", "protected"):
            raise bad_request("Invalid visibility")
        if visibility == "protected" and repo.repo_type != "space":
            raise bad_request("Only Spaces can be protected")
        repo.private = visibility == "private"
        repo.protected = visibility == "protected"

    def put_setting(
        self, repo: Repo, kind: Setting, item: dict[str, Any], *, restart: bool = True
    ) -> None:
        """Store one secret or variable (``{"key","value","description"?}``) like the Hub does;
        the Space restarts (``restart=False``: a Space being created)."""
        key = item.get("key")
        if not isinstance(key, str) or not key:
            raise bad_request("key is required")
        value = item.get("value", "")
        meta: dict[str, Any] = {"value": value} if kind is Setting.VARIABLE else {}
        if item.get("description") is not None:
            meta["description"] = item["description"]
        meta["updatedAt"] = self.iso_now()
        if kind is Setting.SECRET:
            repo.secrets[key] = value
            repo.secret_meta[key] = meta
        else:
            repo.variables[key] = meta
        if restart:
            self.restart(repo, kind.restart)

    def delete_setting(self, repo: Repo, kind: Setting, key: Any) -> None:
        """Remove a secret or variable; the Space restarts when there was one."""
        held = repo.secrets if kind is Setting.SECRET else repo.variables
        existed = key in held
        held.pop(key, None)
        if kind is Setting.SECRET:
            repo.secret_meta.pop(key, None)
        if existed:
            self.restart(repo, kind.restart)

    def set_hardware(self, repo: Repo, flavor: Any, sleep_time: Any = None) -> None:
        """Another flavor restarts the Space; the plan and ZeroGPU rules apply first."""
        if not isinstance(flavor, str):
            raise bad_request("flavor is required")
        self.check_hardware(flavor, repo.repo_id)
        if sleep_time is not None:
            repo.sleep_time = int(sleep_time)
        if flavor != repo.hardware:
            repo.hardware = flavor
            self.restart(repo, Restart.HARDWARE)

    @staticmethod
    def set_sleep_time(repo: Repo, seconds: Any) -> None:
        """Seconds without visitors before the Space sleeps; restarts nothing."""
        if not isinstance(seconds, int):
            raise bad_request("seconds must be an integer")
        repo.sleep_time = seconds

    @staticmethod
    def pause(repo: Repo) -> None:
        """PAUSED until a restart; commits and settings changes leave it paused."""
        repo.space.paused = True

    def commit_later(
        self, repo_id: str, delay: float, *, author: str = "someone-else", path: str = "NOTES.md"
    ) -> None:
        """Another writer's commit lands on top of the head `delay` seconds from now (on the
        simulator's clock): `path` gets a new line, the Space rebuilds."""

        def land() -> None:
            repo = self.repos.get(("space", repo_id))
            if repo is None:  # deleted, or never created
                return
            old = repo.files.get(path)
            data = (old.content if old is not None else b"") + f"edit {self.now()}\n".encode()
            files = {**repo.files, path: self.store_regular(data)}
            self.apply_commit(repo, files, f"Update {path}", "", author)

        self.clock.call_later(delay, land)

    def put_to_sleep(self, repo_id: str) -> None:
        """The Space went unvisited for its sleep time: SLEEPING until a visit, restart or commit."""
        self.repos[("space", repo_id)].space.sleep()

    def wake(self, repo_id: str) -> None:
        """A visitor opens a sleeping Space: it is queued again, logged without a commit sha."""
        repo = self.repos[("space", repo_id)]
        if repo.space.asleep:
            self.restart(repo, Restart.WAKE)

    @staticmethod
    def _sync_sdk(repo: Repo) -> None:
        """The README card's ``sdk`` is the source of truth for the Space's sdk, as on the Hub."""
        readme = repo.files.get("README.md")
        if readme is None:
            return
        try:
            card = frontmatter.parse_readme(readme.text()) or {}
        except frontmatter.FrontMatterError:
            return
        if card.get("sdk") in frontmatter.VALID_SDKS:
            repo.sdk = card["sdk"]
