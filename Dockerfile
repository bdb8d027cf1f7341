# Image for the hf-deploy container action.
# GitHub runs container actions as root with the workspace mounted at
# /github/workspace; the action reads inputs from INPUT_* variables.
FROM python:3.11-slim-bookworm

# git + git-lfs are needed at run time (git index blob ids, LFS pointers).
# Versions come from the pinned Debian release of the base image (see
# .hadolint.yaml for why DL3008 is ignored).
RUN apt-get update \
    && apt-get install -y --no-install-recommends git git-lfs \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Exactly the lock file and flags scripts/test uses (tests/test_metadata.py
# checks this line).
COPY requirements/runtime.txt /app/requirements/runtime.txt
RUN pip install --no-cache-dir --require-hashes --no-deps -r /app/requirements/runtime.txt

COPY entrypoint.py /app/entrypoint.py
COPY hf_action/ /app/hf_action/

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_DISABLE_TELEMETRY=1

ENTRYPOINT ["python", "/app/entrypoint.py"]
