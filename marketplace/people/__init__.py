"""People: accounts, passwords, participants and their NIK-checked profiles."""
