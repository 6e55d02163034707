"""Learning: what happens between buying a course and completing it (issue 12): attendance
at sessions, and the reviews of completed courses; the learner's pages are in web/learn."""
