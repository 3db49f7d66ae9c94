"""Transactional outbox: events recorded with the change, relayed to arq jobs."""
