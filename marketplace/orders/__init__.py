"""Orders: checkout through the ledger, redemption of codes, refunds."""
