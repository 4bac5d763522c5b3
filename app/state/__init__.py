"""What every server process shares: the key-value store and the job queue (issue 16)."""
