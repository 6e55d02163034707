"""The demo data behind `flask seed`."""
