"""Money: the double-entry ledger, cards and their balances, statements."""
