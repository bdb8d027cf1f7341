"""The Hugging Face Hub: client and transport, upload progress, Space state and settings, tree, commit, build watch,
secrets and variables. huggingface_hub itself is imported only inside functions (it reads HF_ENDPOINT at import).
"""
