"""The arq side of coord: WorkerSettings, job functions, event routing."""
