"""Curation: the training standard, providers' working copies of their courses, and the
programme office's decisions on them (models.py says how the parts fit)."""
