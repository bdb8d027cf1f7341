"""The words of a Hub failure come from the fields huggingface_hub's HfHubHTTPError carries
(`server_message`: the X-Error-Message header and the body's error, gathered once; `request_id`),
not from the response parsed again."""

from __future__ import annotations

import json

import httpx2
import pytest
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.utils import hf_raise_for_status

from hf_action.hub.explain import explain, keyless_refused


def refusal(status: int, body: object = None, **headers: str) -> HfHubHTTPError:
    """The error huggingface_hub raises for this answer."""
    content = body.encode() if isinstance(body, str) else json.dumps(body or {}).encode()
    kind = "text/plain" if isinstance(body, str) else "application/json"
    response = httpx2.Response(
        status,
        headers={"Content-Type": kind, **{k.replace("_", "-"): v for k, v in headers.items()}},
        content=content,
        request=httpx2.Request("POST", "https://hub.test/api/spaces/u/s/commit/main"),
    )
    with pytest.raises(HfHubHTTPError) as caught:
        hf_raise_for_status(response)
    return caught.value


def test_a_hub_error_quotes_the_hub_once_and_its_request_id():
    exc = refusal(503, {"error": "Maintenance"}, X_Error_Message="Maintenance", X_Request_Id="r-1")
    error = explain(exc, action="commit the files", space_id="u/s")
    assert error.message == (
        "The Hub failed (503) while trying to commit the files (Request ID: r-1)."
        " The Hub said: Maintenance"
    )


def test_a_plain_text_answer_is_quoted_too():
    """A proxy's text answer has no header and no JSON: huggingface_hub still keeps its text."""
    error = explain(refusal(502, "upstream timed out"), action="read the Space", space_id="u/s")
    assert error.message == (
        "The Hub failed (502) while trying to read the Space. The Hub said: upstream timed out"
    )


def test_the_header_and_the_body_are_quoted_on_one_line():
    exc = refusal(403, {"error": "Org is locked"}, X_Error_Message="Forbidden by policy")
    error = explain(exc, action="read the Space", space_id="u/s")
    assert error.message == (
        "The Hub forbade this (403) while trying to read the Space."
        " The Hub said: Forbidden by policy Org is locked"
    )


def test_a_refused_keyless_exchange_quotes_the_oauth_error_and_description():
    exc = refusal(400, {"error": "invalid_grant", "error_description": "no trusted publisher"})
    error = keyless_refused(exc, "spaces/u/s", "me/repo")
    assert error.message == (
        "The Hub refused the keyless token exchange for spaces/u/s (400)."
        " The Hub said: invalid_grant: no trusted publisher."
    )
    assert "GitHub repository me/repo" in (error.hint or "")
