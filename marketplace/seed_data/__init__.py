"""Demo data for `flask seed`: reference tables and the Indonesian text that courses are built from.

Everything here is plain data; `marketplace.demo.seeding` turns it into rows.
"""

import csv
from pathlib import Path

PROVINCES_CSV = Path(__file__).with_name("provinces.csv")


def load_provinces() -> list[tuple[str, str]]:
    """The 38 provinces as (Kemendagri code, name) pairs, in code order."""
    with PROVINCES_CSV.open(encoding="utf-8", newline="") as handle:
        return [(row["code"].strip(), row["name"].strip()) for row in csv.DictReader(handle)]


# The published password of the demo accounts (README, `flask seed`); demo data only.
DEMO_PASSWORD = "Prakerja2020!"  # noqa: S105
