"""Print the duplicate review's best cross-organisation pairs from the current database, to judge them by hand.

    AIHQ_DATA_DIR=... aihq load_demo && aihq find_duplicates && python benchmarks/duplicates_quality.py [--top 40]

The judged sample of the US 2024 inventory is in benchmarks/duplicates_judged_sample.csv (AIHQ's own judgement:
"related" means a reviewer would want to look at the two together: the same work, a shared component, or one
reusable by the other).
"""

from __future__ import annotations

import argparse
import os

import django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aihq.settings")
    django.setup()
    from aihq.coordination.models import SimilarPair

    pairs = SimilarPair.objects.select_related("use_case_a__organisation", "use_case_b__organisation")
    print("rank | score | organisation a | use case a | organisation b | use case b")
    for rank, pair in enumerate(pairs.order_by("-score", "pk")[: args.top], start=1):
        a, b = pair.use_case_a, pair.use_case_b
        print(f"{rank} | {pair.score:.3f} | {a.organisation.code} | {a.name} | {b.organisation.code} | {b.name}")


if __name__ == "__main__":
    main()
