"""Use cases. Each takes explicit arguments (the acting user included),
changes rows and flushes; the caller (a view or a CLI command) commits once."""
