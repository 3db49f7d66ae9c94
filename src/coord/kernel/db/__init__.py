"""Database plumbing: pool, per-request transaction, migration runner."""

from coord.kernel.db.pool import create_pool, transaction

__all__ = ["create_pool", "transaction"]
