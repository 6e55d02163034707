"""Where the catalogue page's time goes: each part timed in-process, best of several runs.

    .venv/bin/python bench/catalogue_parts.py [--courses 1500|150000]

Uses the database that bench/catalogue.py built (bench/out/catalogue-N.db; run that first).
Every figure is the best of 9 repeats of a few hundred calls through Flask's test client or
a request context, in microseconds, beside a control measured the same way in the same run:
a route returning a static string as large as the page. A script that prints figures, not a
test; it sends no network traffic at all.
"""

import argparse
import os
import sys
import timeit
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

QUERY = "/courses?q=excel&category=teknologi-informasi&method=self_paced"


def best(function, number: int = 200, repeat: int = 9) -> float:
    """Microseconds a call, the best of `repeat` runs of `number` calls."""
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=1500)
    args = parser.parse_args()
    database = REPO / "bench" / "out" / f"catalogue-{args.courses}.db"
    if not database.exists():
        sys.exit(f"{database} is missing: run bench/catalogue.py --courses {args.courses} first")
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ.setdefault("PUBLIC_URL", "http://127.0.0.1")
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"

    from flask import render_template, request

    from marketplace import create_app
    from marketplace.catalogue import listing
    from marketplace.web.catalogue.cards import course_cards
    from marketplace.web.catalogue.query import CatalogueQuery
    from marketplace.web.catalogue.views import page_context
    from marketplace.web.fragments import rendered_parts

    app = create_app()
    page_bytes: list[int] = [0]

    @app.route("/_bench/control")
    def control():
        return "x" * page_bytes[0]

    @app.route("/_bench/chrome")
    def chrome():
        return render_template("base.html")

    client = app.test_client()
    page_bytes[0] = len(client.get(QUERY).data)
    rows = [
        ("control request (static string, same size)", best(lambda: client.get("/_bench/control"))),
        ("catalogue request, q + 2 filters", best(lambda: client.get(QUERY))),
        ("request rendering only base.html (chrome)", best(lambda: client.get("/_bench/chrome"))),
    ]
    with app.test_request_context(QUERY):
        options = listing.filter_options()

        def read_query():
            return CatalogueQuery(request.args, options)

        query = read_query()
        criteria = query.criteria(options)
        results = listing.list_courses(criteria)
        context = page_context(query, options, results, criteria)
        rows += [
            ("  query string: read and check", best(read_query)),
            ("  listing: count and page (SQL)", best(lambda: listing.list_courses(criteria))),
            (
                f"  cards: {len(results.items)} results, kept",
                best(lambda: course_cards(results.items)),
            ),
            (
                f"  cards: {len(results.items)} results, rendered",
                best(lambda: (rendered_parts("course_cards").clear(), course_cards(results.items))),
            ),
            (
                "  template: catalogue/index.html",
                best(lambda: render_template("catalogue/index.html", **context)),
            ),
        ]
    control_us = rows[0][1]
    print(f"catalogue parts, {args.courses:,} courses, {QUERY}")
    for label, micros in rows:
        print(f"{label:<48} {micros:9.1f} µs   {micros / control_us:5.2f}× control")


if __name__ == "__main__":
    main()
