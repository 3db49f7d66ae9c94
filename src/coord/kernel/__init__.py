"""The kernel: configuration, errors and problem details, the database, the clock,
pagination, access, audit and observability. It imports nothing else of coord."""
