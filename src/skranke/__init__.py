"""skranke: the counter application of Danish drug-treatment centres."""

__version__ = "0.1.0"
