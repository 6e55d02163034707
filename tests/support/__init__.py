"""What the tests share: rows for checkout and programme tests, a loopback SMTP server."""
