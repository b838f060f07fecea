"""``python -m scheduler`` runs the ``quorum`` command."""

from scheduler.cli.main import main

main()
