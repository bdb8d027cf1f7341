"""Expected failures: each carries the one line a user needs, so nothing upstream prints a traceback."""

from __future__ import annotations

from typing import Self

from hf_action.outcome import Outcome


class ActionError(Exception):
    """A failure we foresaw. `message` says what is wrong, `hint` how to fix it; `outcome`, when set, is
    what the run did before failing (a commit made, a build watched), still reported as outputs.
    Immutable: every field is set once, when the error is made (`with_outcome` makes a new one)."""

    outcome: Outcome | None

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        title: str | None = None,
        outcome: Outcome | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.title = title
        self.outcome = outcome

    def __setattr__(self, name: str, value: object) -> None:
        if name in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}.{name} is set once, when the error is made"
            )
        super().__setattr__(name, value)

    def with_outcome(self, outcome: Outcome) -> Self:
        """The same error, carrying what the run did before it failed."""
        made = type(self).__new__(type(self), *self.args)
        made.__dict__.update({**self.__dict__, "outcome": outcome})
        return made

    def __str__(self) -> str:
        return self.line

    @property
    def line(self) -> str:
        """Message and hint as one sentence pair, for the single error line."""
        if not self.hint:
            return self.message
        sep = " " if self.message.rstrip().endswith((".", "!", "?", ":")) else ". "
        return f"{self.message.rstrip()}{sep}{self.hint}"


class InputError(ActionError):
    """An input is malformed; raised before anything touches the Hub."""

    def __init__(self, name: str, message: str, hint: str | None = None) -> None:
        super().__init__(f"Input '{name}': {message}", hint, title=f"Invalid input: {name}")
        self.name = name


class BuildFailed(ActionError):
    """The Space ended in an error stage or never reached RUNNING in time."""

    def __init__(
        self,
        message: str,
        stage: str,
        log_tail: str = "",
        hint: str | None = None,
        *,
        title: str | None = None,
        log_title: str | None = None,
    ) -> None:
        super().__init__(message, hint, title=title or f"Space {stage}")
        self.stage = stage
        self.log_tail = log_tail
        self.log_title = log_title or f"{stage}: last lines of the log"


class SmokeFailed(BuildFailed):
    """The Space runs, but its app did not answer the smoke check as expected in time."""

    def __init__(self, message: str, log_tail: str, hint: str) -> None:
        super().__init__(
            message, "RUNNING", log_tail, hint,
            title="Smoke check failed", log_title="Smoke check: last lines of the run log",
        )  # fmt: skip


class CardError(ActionError):
    """The Space card (README.md front matter, or the `card` input) cannot be used."""


class EventError(ActionError):
    """The event the runner describes cannot be used (missing, unreadable, malformed)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, None, title="Unusable event")


class EnvFormatError(ValueError):
    """A `secrets`/`variables` block is malformed; the message never contains a value."""
