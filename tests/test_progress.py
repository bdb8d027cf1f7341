"""Upload progress lines: throttled, with rate and what is left."""

from __future__ import annotations

from hf_action.hub.progress import UploadProgress


def test_progress_lines_are_throttled_and_informative():
    now = [0.0]
    lines: list[str] = []
    p = UploadProgress(100 * 1024 * 1024, lines.append, every=5.0, clock=lambda: now[0])
    for _ in range(10):  # 10 MB per second for 10 seconds
        now[0] += 1.0
        p.add(10 * 1024 * 1024)
    assert len(lines) == 2  # at 5 s and 10 s, not on every chunk
    assert lines[0] == "  uploaded 50.0 MB of 100.0 MB (50%) at 10.0 MB/s, about 5s left"
    assert lines[1].startswith("  uploaded 100.0 MB of 100.0 MB (100%)") and "left" not in lines[1]
