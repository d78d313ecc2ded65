"""Block Kit builders: pure functions from snapshots and the policy to Block Kit JSON (plain dicts)."""
