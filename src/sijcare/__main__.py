"""`python -m sijcare` runs the `sijcare` command."""

from sijcare.cli import main

main()
