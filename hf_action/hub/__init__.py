"""The Hugging Face Hub: the client and its transport, the Space and its settings, files and commits,
the build watch, the wording of every Hub failure (explain.py). huggingface_hub is imported inside
functions only: it reads the environment at import (docs/architecture.md, "The layers")."""
