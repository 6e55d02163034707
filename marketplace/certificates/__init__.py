"""Certificates (issue 13): issued once when a course is completed, verifiable by anyone
through a public code, revocable with a reason."""
