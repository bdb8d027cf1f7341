"""The app layer: dispatch a run (deploy, restart/pause/delete, previews), report it, and the command line."""
