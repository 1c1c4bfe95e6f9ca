"""Use cases: what the UI and the command line ask for, each in one transaction."""
