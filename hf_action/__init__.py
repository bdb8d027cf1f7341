"""hf-deploy: deploy a GitHub repository to a Hugging Face Space."""

__version__ = "0.1.0"
