"""Pure rules on plain values: no I/O, no clock, no UI, no database."""
