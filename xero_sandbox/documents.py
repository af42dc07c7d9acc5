"""Document endpoints (stage 2)."""
