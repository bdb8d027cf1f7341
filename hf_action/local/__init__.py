"""Local files: scan the folder, read the git index, build the Space card, take the snapshot to deploy."""
