"""``python -m scheduler`` runs the ``quorum`` command."""

from scheduler.cli import main

main()
