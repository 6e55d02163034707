"""Incentives (issue 15): cash paid to participants after their first completed and reviewed
course, and for each evaluation survey, to the payout account they linked, through a payout
gateway over HTTP, exactly once."""
