"""The `exclude` input read as git reads a .gitignore (the lines translated by pathspec), so a pattern means
what it means in the user's .gitignore: a slash at the start or in the middle anchors it at the
deployed folder's root, one without matches a name at any depth, `**` crosses folders, a trailing `/`
matches folders only, `!` re-includes what an earlier line excluded (never inside an excluded folder,
as git). The always-excluded paths are read by the same rules in a spec of their own, so no `!` line
of the input can bring back `.git` (its config holds the checkout's token)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import Enum, auto
from pathlib import Path

from hf_action.errors import InputError

# `.git` also as a file (a submodule's), `.cache` because the Hub refuses both as path parts, and the
# credential files that auth actions leave in the workspace.
_DIR_MARK = "ps_d"  # pathspec's group for the '/' after a matched folder

ALWAYS_EXCLUDED = (".git", ".github/", ".cache/", "gha-creds-*.json")

PATTERN_HINT = (
    "Write gitignore patterns, one per line: '*.ipynb', 'data/', '/build', 'docs/**/*.png', '!keep.md';"
    " a literal '[', '!' or '#' at the start is escaped with '\\'."
)


@dataclass(frozen=True)
class _Rule:
    """One line, as git matches it against one path (a file, or a folder itself): pathspec's regex
    also matches what lies under a matched folder (`(?P<ps_d>/)` marks the folder), which git decides
    through the parent folders instead (an excluded folder is never entered, so no `!` reaches its
    files)."""

    include: bool  # False for a `!` line
    prefix: re.Pattern[str]  # pathspec's regex: a path or one of its folders
    whole: re.Pattern[str] | None  # the same, ending at the end; None with no folder mark

    @classmethod
    def of(cls, line: str) -> _Rule | None:
        from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern  # see _problem

        compiled = GitIgnoreSpecPattern(line)
        regex, include = compiled.regex, compiled.include
        if regex is None or include is None:
            return None  # a comment or blank line
        whole = re.compile(f"(?:{regex.pattern})$") if _DIR_MARK in regex.groupindex else None
        return cls(include, regex, whole)

    def matches(self, rel: str, is_dir: bool) -> bool:
        if self.whole is None:  # '*', '**', 'docs/**': a path under it at any depth, never itself
            return self.prefix.search(rel) is not None
        # a folder is asked with its '/': the regex's folder mark ends the path, so 'build/' finds it
        return self.whole.search(rel + "/" if is_dir else rel) is not None


@dataclass(frozen=True)
class _Lines:
    """One list of lines. Without a `!` line the order cannot matter: a path is excluded when any
    line matches it, asked of one regex per kind (for every entry of the walk) instead of one per line."""

    rules: tuple[_Rule, ...]
    any_under: re.Pattern[str] | None  # the `whole is None` rules' regexes, joined
    any_whole: re.Pattern[str] | None

    @classmethod
    def of(cls, lines: tuple[str, ...]) -> _Lines:
        rules = tuple(rule for line in lines if (rule := _Rule.of(line)) is not None)
        if not all(rule.include for rule in rules):
            return cls(rules, None, None)
        under = [r.prefix.pattern for r in rules if r.whole is None]
        whole = [r.whole.pattern.replace(f"(?P<{_DIR_MARK}>", "(?:") for r in rules if r.whole]
        return cls((), _joined(under), _joined(whole))

    def exclude(self, rel: str, is_dir: bool) -> bool:
        """Git's rule: the last line that matches decides; none, and the path is kept."""
        for rule in reversed(self.rules):
            if rule.matches(rel, is_dir):
                return rule.include
        return bool(
            (self.any_under and self.any_under.search(rel))
            or (self.any_whole and self.any_whole.search(rel + "/" if is_dir else rel))
        )


def _joined(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


@dataclass(frozen=True)
class Excludes:
    """The always-excluded paths and the input's patterns, compiled once for a run's every path."""

    always: _Lines
    given: _Lines

    def hit(self, rel: str, is_dir: bool) -> bool:
        """Is `rel` itself excluded? The walk asks each entry alone: its parent folders were asked on
        the way down, and an excluded folder is not entered."""
        return self.always.exclude(rel, is_dir) or self.given.exclude(rel, is_dir)

    def covers(self, rel: str, is_dir: bool) -> bool:
        """Is `rel` excluded, itself or through one of its parent folders (a path the walk did not
        reach: a Space's file, a symlink's target)?"""
        parts = rel.split("/")
        return any(
            self.hit("/".join(parts[:i]), is_dir or i < len(parts))
            for i in range(1, len(parts) + 1)
        )


@functools.lru_cache(maxsize=8)
def excludes(patterns: tuple[str, ...], always: tuple[str, ...] = ALWAYS_EXCLUDED) -> Excludes:
    """The rules for the input's patterns (checked by `check_patterns`) after the always-excluded."""
    return Excludes(_Lines.of(always), _Lines.of(patterns))


class Place(Enum):
    """Where a file the action would read lies: the one gate of `path`, `card` and the walk's links."""

    READABLE = auto()
    OUTSIDE = auto()  # not in the workspace
    SEALED = auto()  # .git (its config holds the checkout's token), another always-excluded path


def place(workspace: Path, target: Path, is_dir: bool) -> Place:
    """Where `target` lies; both resolved by the caller (symlinks followed: `Path.resolve`), so a link
    is judged by what it reaches, never by its own name."""
    if target != workspace and workspace not in target.parents:
        return Place.OUTSIDE
    rel = target.relative_to(workspace).as_posix()
    return Place.SEALED if rel != "." and excludes(()).covers(rel, is_dir) else Place.READABLE


def check_patterns(value: str | None) -> tuple[str, ...]:
    """The input's lines as patterns, each one git would take and that can match a path inside the
    folder; blank lines and `#` comments dropped, as in a .gitignore."""
    patterns = []
    for line in (value or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        problem = _problem(line)
        if problem:
            raise InputError("exclude", f"'{line}' {problem}.", PATTERN_HINT)
        patterns.append(line)
    return tuple(patterns)


def _problem(line: str) -> str | None:
    if "\0" in line:
        return "holds a NUL character"
    if {".", ".."} & set(line.removeprefix("!").split("/")):
        return (
            "has a '.' or '..' part: patterns are matched inside 'path', from its root"
            " (anchor one there with a leading '/', e.g. '/data/')"
        )
    # pathspec loads in ~9 ms: here, only when the input has patterns, so a run's first request
    # does not wait for it (the walk, in its own thread while the Hub answers, loads it for the
    # always-excluded paths)
    from pathspec.patterns.gitignore import GitIgnorePatternError
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    try:
        compiled = GitIgnoreSpecPattern(line)
    except GitIgnorePatternError:
        return "is not a gitignore pattern"
    if compiled.regex is None:
        return "matches nothing (git drops it: an unclosed '[' or a bare '/')"
    return None
