"""hf_xet's concurrency follows the machine (hub/xetmemory.py): the memory this job may use, read from a
fake cgroup and a fake /proc/meminfo, sets how many xorbs hf_xet keeps in flight and how many files
it ingests at once; never above hf_xet's defaults; the job's own settings win."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hf_action.app import action as app_action
from hf_action.hub.xetmemory import (
    FILE_MIB,
    FILES,
    GIB,
    SHARE,
    UPLOADS,
    UPLOADS_FIRST,
    XET_FILES,
    XET_UPLOADS,
    JobMemory,
    MemorySource,
    XetConcurrency,
    cpu_count,
    job_memory,
    peak_mib,
    xet_concurrency,
)

MIB = 1 << 20
HOW_IT_WORKS = Path(__file__).resolve().parent.parent / "docs" / "how-it-works.md"
V1_UNLIMITED = "9223372036854771712"


def fake_machine(
    tmp_path: Path,
    self_cgroup: str,
    files: dict[str, str],
    available_kb: int | None = 16 * 1024 * 1024,
) -> tuple[Path, Path]:
    """/proc (self/cgroup, meminfo) and a cgroup filesystem, as tmp files; returns (proc, cgroup_fs)."""
    proc, fs = tmp_path / "proc", tmp_path / "cgroup"
    (proc / "self").mkdir(parents=True)
    (proc / "self" / "cgroup").write_text(self_cgroup)
    if available_kb is not None:
        (proc / "meminfo").write_text(
            f"MemTotal:       {2 * available_kb} kB\nMemFree:        {available_kb // 2} kB\n"
            f"MemAvailable:   {available_kb} kB\nBuffers:           29916 kB\n"
        )
    for rel, text in files.items():
        (fs / rel).parent.mkdir(parents=True, exist_ok=True)
        (fs / rel).write_text(text + "\n")
    return proc, fs


def test_a_cgroup_v2_limit_is_what_the_job_may_use(tmp_path):
    proc, fs = fake_machine(
        tmp_path,
        "0::/actions_job/abc\n",
        {"actions_job/abc/memory.max": str(2 * GIB), "actions_job/memory.max": "max"},
    )
    assert job_memory(proc, fs) == JobMemory(2 * GIB, MemorySource.CGROUP)


def test_a_cgroup_v1_limit_binds_from_the_jobs_group_or_any_parent(tmp_path):
    """v1 (a self-hosted runner's Docker on an older host): the tightest limit on the way up."""
    proc, fs = fake_machine(
        tmp_path,
        "9:pids:/\n4:memory:/runners/job7\n1:name=systemd:/\n0::/\n",
        {
            "memory/runners/job7/memory.limit_in_bytes": str(6 * GIB),
            "memory/runners/memory.limit_in_bytes": str(3 * GIB),
            "memory/memory.limit_in_bytes": V1_UNLIMITED,
        },
    )
    assert job_memory(proc, fs) == JobMemory(3 * GIB, MemorySource.CGROUP)


def test_inside_a_container_the_visible_root_is_the_containers_group(tmp_path):
    """`/proc/self/cgroup` names the host's path (`/docker/<id>`), which the container does not see:
    its cgroup filesystem's root is its own group, and that limit counts."""
    proc, fs = fake_machine(
        tmp_path,
        "4:memory:/docker/0123abcd\n",
        {"memory/memory.limit_in_bytes": str(2 * GIB)},
    )
    assert job_memory(proc, fs) == JobMemory(2 * GIB, MemorySource.CGROUP)
    proc2, fs2 = fake_machine(tmp_path / "v2", "0::/\n", {"memory.max": str(GIB)})
    assert job_memory(proc2, fs2) == JobMemory(GIB, MemorySource.CGROUP)


def test_without_a_limit_memavailable_is_what_the_job_may_use(tmp_path):
    proc, fs = fake_machine(
        tmp_path,
        "4:memory:/\n0::/user.slice\n",
        {"memory/memory.limit_in_bytes": V1_UNLIMITED, "user.slice/memory.max": "max"},
        available_kb=15 * 1024 * 1024,
    )
    assert job_memory(proc, fs) == JobMemory(15 * GIB, MemorySource.AVAILABLE)


def test_a_machine_with_less_available_than_its_limit_gives_what_it_has(tmp_path):
    proc, fs = fake_machine(
        tmp_path, "0::/job\n", {"job/memory.max": str(8 * GIB)}, available_kb=3 * 1024 * 1024
    )
    assert job_memory(proc, fs) == JobMemory(3 * GIB, MemorySource.AVAILABLE)


def test_nothing_readable_is_unknown_and_hf_xet_keeps_its_defaults(tmp_path):
    memory = job_memory(tmp_path / "no-proc", tmp_path / "no-cgroup")
    assert memory == JobMemory(None, MemorySource.UNKNOWN)
    chosen = xet_concurrency({}, memory, cpus=4)
    assert chosen.settings == {}
    assert chosen.line() == "hf_xet: its own defaults; this job's memory could not be read."


@pytest.mark.parametrize("gib", [0.5, 1, 2, 3, 4, 8, 16, 64])
@pytest.mark.parametrize("cpus", [1, 2, 4, 16])
def test_the_modelled_peak_stays_within_a_quarter_and_never_above_hf_xets_defaults(gib, cpus):
    chosen = xet_concurrency({}, JobMemory(int(gib * GIB), MemorySource.CGROUP), cpus)
    uploads, files = chosen.uploads, chosen.files
    assert uploads is not None and files is not None
    assert 1 <= uploads <= XET_UPLOADS and 1 <= files <= min(XET_FILES, cpus)
    budget = gib * 1024 / SHARE
    if peak_mib(1, 1) <= budget:  # below that, one of each is what hf_xet needs to work at all
        assert peak_mib(uploads, files) <= budget
        # and it takes what fits: one more upload would not (unless at hf_xet's maximum)
        assert uploads == XET_UPLOADS or peak_mib(uploads + 1, files) > budget


def test_a_2_gib_limit_and_a_16_gb_runner():
    """The issue's two machines: a container with 2 GiB gets a few uploads within 512 MiB; a
    GitHub-hosted runner (16 GB, ~14.5 GiB available, 4 CPUs) gets hf_xet's speed."""
    small = xet_concurrency({}, JobMemory(2 * GIB, MemorySource.CGROUP), cpus=4)
    assert small.settings == {UPLOADS: "2", FILES: "1"}
    quoted = [ln for ln in HOW_IT_WORKS.read_text().splitlines() if ln.startswith("hf_xet: ")]
    assert quoted == [small.line()]  # the line docs/how-it-works.md quotes
    assert "about 496 MiB at most" in small.line()
    runner = xet_concurrency({}, JobMemory(int(14.5 * GIB), MemorySource.AVAILABLE), cpus=4)
    assert runner.uploads is not None and runner.uploads >= 40  # adaptive control peaks well below
    assert runner.files == 4


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("HF_XET_CLIENT_AC_MAX_UPLOAD_CONCURRENCY", UPLOADS),
        ("HF_XET_FIXED_UPLOAD_CONCURRENCY", UPLOADS),  # hf_xet's alias: ours would override it
        ("HF_XET_DATA_MAX_CONCURRENT_FILE_INGESTION", FILES),
        ("HF_XET_MAX_CONCURRENT_FILE_INGESTION", FILES),
    ],
)
def test_the_jobs_own_setting_wins_and_the_line_names_it(name, kept):
    chosen = xet_concurrency({name: "6"}, JobMemory(2 * GIB, MemorySource.CGROUP), cpus=4)
    assert kept not in chosen.settings and len(chosen.settings) == 1
    assert f"(set by the job: {name})" in chosen.line()


@pytest.mark.parametrize(
    ("env", "ours"),
    [
        ({"HF_XET_HIGH_PERFORMANCE": "1"}, False),
        ({"HF_XET_HP": "on"}, False),
        ({"HF_XET_HIGH_PERFORMANCE": "0", "HF_XET_HP": "1"}, True),  # hf_xet reads the first set
        ({"HF_XET_HP": "no"}, True),
    ],
)
def test_hf_xets_high_performance_mode_set_by_the_job_is_left_alone(env, ours):
    """It overrides both settings in hf_xet: writing ours would only make the line untrue."""
    chosen = xet_concurrency(env, JobMemory(2 * GIB, MemorySource.CGROUP), cpus=4)
    assert bool(chosen.settings) is ours


def test_configure_process_gives_hf_xet_the_choice_unless_the_job_set_it(monkeypatch):
    two_gib = JobMemory(2 * GIB, MemorySource.CGROUP)
    monkeypatch.setattr(app_action, "job_memory", lambda: two_gib)
    monkeypatch.setattr(app_action, "cpu_count", lambda: 2)
    for var in (UPLOADS, FILES, "HF_ENDPOINT", "HF_HUB_DISABLE_PROGRESS_BARS",
                "HF_HUB_DISABLE_TELEMETRY", "HF_HUB_DISABLE_IMPLICIT_TOKEN"):  # fmt: skip
        monkeypatch.setenv(var, "x")  # restored (or removed) by monkeypatch after the test
        monkeypatch.delenv(var)
    chosen = app_action.configure_process({})
    assert chosen == xet_concurrency({}, two_gib, 2)
    assert (os.environ[UPLOADS], os.environ[FILES]) == ("2", "1")
    monkeypatch.setenv(UPLOADS, "9")
    monkeypatch.delenv(FILES)
    chosen = app_action.configure_process({UPLOADS: "9"})
    assert os.environ[UPLOADS] == "9" and os.environ[FILES] == "1"
    assert chosen.job_set == (UPLOADS,)


def test_the_ceilings_are_hf_xets_own_defaults():
    """XET_UPLOADS and XET_FILES are hf_xet's defaults: a new hf_xet that changes them fails here."""
    code = (
        "import json, hf_xet\nc = hf_xet.XetConfig()\nprint(json.dumps(["
        "int(c.get('client.ac_max_upload_concurrency')),"
        " int(c.get('data.max_concurrent_file_ingestion'))]))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_XET")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert json.loads(out.stdout) == [XET_UPLOADS, XET_FILES], out.stderr


def test_the_line_and_the_settings_agree():
    chosen = XetConcurrency(1, 1, JobMemory(GIB, MemorySource.CGROUP))
    assert chosen.settings == {UPLOADS: "1", FILES: "1"}
    assert chosen.line().startswith("hf_xet: up to 1 xorb upload in flight and 1 file ingested")


def test_a_limit_equal_to_what_is_available_is_the_cgroups(tmp_path):
    """Ties are no error: the cgroup's limit is named (the first found)."""
    proc, fs = fake_machine(
        tmp_path, "0::/job\n", {"job/memory.max": str(4 * GIB)}, available_kb=4 * 1024 * 1024
    )
    assert job_memory(proc, fs) == JobMemory(4 * GIB, MemorySource.CGROUP)


def test_a_cgroup_path_may_hold_a_colon(tmp_path):
    proc, fs = fake_machine(
        tmp_path, "0::/kubepods/pod:1/ctr\n", {"kubepods/pod:1/ctr/memory.max": str(GIB)}
    )
    assert job_memory(proc, fs) == JobMemory(GIB, MemorySource.CGROUP)


@pytest.mark.parametrize("gib", [0.25, 0.5, 1])
def test_below_what_one_of_each_needs_hf_xet_still_gets_one_of_each(gib):
    chosen = xet_concurrency({}, JobMemory(int(gib * GIB), MemorySource.CGROUP), cpus=8)
    assert (chosen.uploads, chosen.files) == (1, 1)


@pytest.mark.parametrize("spelling", ["1", "true", "TRUE", "yes", "Yes", "y", "on", " on "])
def test_every_spelling_hf_xet_reads_as_true_is_high_performance(spelling):
    chosen = xet_concurrency(
        {"HF_XET_HP": spelling, UPLOADS: "3"}, JobMemory(2 * GIB, MemorySource.CGROUP), 4
    )
    assert chosen.settings == {}
    assert chosen.job_set == ("HF_XET_HP", UPLOADS)
    assert chosen.line().startswith(
        "hf_xet: its own upload concurrency and its own file concurrency"
        " (set by the job: HF_XET_HP, HF_XET_CLIENT_AC_MAX_UPLOAD_CONCURRENCY); sized to"
    )


def test_an_unknown_memory_still_names_the_jobs_settings():
    chosen = xet_concurrency({FILES: "2"}, JobMemory(None), cpus=4)
    assert chosen.settings == {} and chosen.job_set == (FILES,)
    assert chosen.line() == (
        "hf_xet: its own defaults (set by the job: HF_XET_DATA_MAX_CONCURRENT_FILE_INGESTION);"
        " this job's memory could not be read."
    )


def test_with_one_setting_the_jobs_the_line_gives_no_peak():
    """The modelled peak needs both numbers: with one of them hf_xet's, none is claimed."""
    chosen = xet_concurrency({UPLOADS: "12"}, JobMemory(2 * GIB, MemorySource.CGROUP), cpus=4)
    assert chosen.line() == (
        "hf_xet: its own upload concurrency and 1 file ingested at once (set by the job:"
        " HF_XET_CLIENT_AC_MAX_UPLOAD_CONCURRENCY); sized to a quarter of the 2.0 GiB this job"
        " may use (its cgroup's memory limit)."
    )


def test_the_cpus_are_those_this_process_may_run_on():
    assert cpu_count() == len(os.sched_getaffinity(0))


#: Peaks measured with the action on the 1 GB bench repository, the most of either link (bench/results.md,
#: "First deploys on two links": the action:UxF rows, and action@2GiB's): (uploads, files, MiB).
MEASURED = [(1, 1, 403), (2, 1, 426), (2, 2, 547), (3, 1, 483), (4, 1, 532), (8, 1, 767),
            (8, 2, 906), (2, 1, 437)]  # fmt: skip


def test_the_model_is_above_every_measured_peak():
    for uploads, files, mib in MEASURED:
        assert peak_mib(uploads, files) >= mib, (uploads, files, mib)


def test_files_take_only_what_the_first_uploads_leave():
    """Uploads fill a distant link; a second file ingested at once comes after UPLOADS_FIRST of them."""
    for budget, files in (
        (peak_mib(UPLOADS_FIRST, 1), 1),
        (peak_mib(UPLOADS_FIRST, 1) + FILE_MIB // 2, 1),
        (peak_mib(UPLOADS_FIRST, 2), 2),
        (peak_mib(UPLOADS_FIRST, 3) + FILE_MIB // 2, 3),
    ):
        memory = JobMemory(budget * SHARE * MIB, MemorySource.CGROUP)
        chosen = xet_concurrency({}, memory, cpus=8)
        assert (chosen.files, chosen.uploads) == (files, UPLOADS_FIRST), budget
        assert chosen.settings[FILES] == str(files)


def test_the_line_counts_files_and_uploads_in_the_plural():
    chosen = XetConcurrency(5, 3, JobMemory(4 * GIB, MemorySource.AVAILABLE))
    assert chosen.line() == (
        "hf_xet: up to 5 xorb uploads in flight and 3 files ingested at once, about"
        f" {peak_mib(5, 3)} MiB at most; sized to a quarter of the 4.0 GiB this job may use"
        " (MemAvailable in /proc/meminfo)."
    )
