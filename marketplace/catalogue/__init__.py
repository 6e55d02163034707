"""The course catalogue: its models, listing and full-text search."""
