"""What coord holds about a person: export, erasure, retention."""
