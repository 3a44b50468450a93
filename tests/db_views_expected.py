#!/usr/bin/env python3
"""db_views_expected.py — what the SPEC §8 views must say, computed apart from PostgreSQL.

Reads `cuwatch --parse` output (one JSON object per line, exact seconds) on stdin and writes
into DIR three CSV files for the database test to load and compare:
  jour.csv     machine, type, jour, pieces, production_s, effectif_s, attente_s, arret_s,
               taux_occupation, taux_attente, taux_arret, pieces_par_heure
  semaine.csv  machine, type, semaine (ISO Monday), jours, pieces, sums, rates Σ/Σ, pieces/h
  mois.csv     the same per calendar month
and prints "weeks=N differ=M": M of the N weeks have a time-weighted occupation that differs
from the mean of their daily occupations (what the test shows the views do not compute).

Every number is a Fraction until printed: rates round half away from zero to 2 decimals,
like the C code and PostgreSQL's round(numeric)."""
import csv
import datetime
import json
import sys
from decimal import Decimal
from fractions import Fraction


def r2(x):
    """A non-negative Fraction rounded half away from zero to 2 decimals, as text."""
    cents = (x * 100 * 2 + 1) // 2
    return str(Decimal(cents) / 100)


def sec(x):
    """Exact seconds as PostgreSQL's trim_scale prints them."""
    d = Decimal(x.numerator) / Decimal(x.denominator)
    return format(d.normalize(), "f")


def main():
    out = sys.argv[1]
    days = []
    for line in sys.stdin:
        if not line.strip():
            continue
        o = json.loads(line, parse_float=Decimal)
        if o["status"] != "ok":
            continue
        days.append({
            "machine": o["machine"], "type": o["type"] or "",
            "jour": datetime.date.fromisoformat(o["date_production"]),
            "pieces": o["total_pieces"],
            "prod": Fraction(o["production_s"]), "eff": Fraction(o["effective_s"]),
            "att": Fraction(o["wait_s"]), "arr": Fraction(o["stop_s"]),
            "occ_pct": Fraction(o["occupation_pct"]),
        })

    def rates(prod, eff, att, arr, pieces):
        if prod == 0:
            return ["0", "0", "0", ""]
        return [r2(100 * eff / prod), r2(100 * att / prod), r2(100 * arr / prod),
                r2(Fraction(pieces * 3600) / prod)]

    with open(f"{out}/jour.csv", "w", newline="") as f:
        w = csv.writer(f)
        for d in days:
            w.writerow([d["machine"], d["type"], d["jour"], d["pieces"], sec(d["prod"]),
                        sec(d["eff"]), sec(d["att"]), sec(d["arr"])]
                       + rates(d["prod"], d["eff"], d["att"], d["arr"], d["pieces"]))

    def grouped(name, key):
        groups = {}
        for d in days:
            groups.setdefault((d["machine"], d["type"], key(d["jour"])), []).append(d)
        with open(f"{out}/{name}.csv", "w", newline="") as f:
            w = csv.writer(f)
            for (m, t, k), ds in sorted(groups.items()):
                s = {x: sum((d[x] for d in ds), Fraction(0)) for x in ("prod", "eff", "att", "arr")}
                pieces = sum(d["pieces"] for d in ds)
                w.writerow([m, t, k, len(ds), pieces, sec(s["prod"]), sec(s["eff"]),
                            sec(s["att"]), sec(s["arr"])]
                           + rates(s["prod"], s["eff"], s["att"], s["arr"], pieces))
        return groups

    weeks = grouped("semaine", lambda j: j - datetime.timedelta(days=j.weekday()))
    grouped("mois", lambda j: j.replace(day=1))
    differ = 0
    for ds in weeks.values():
        prod = sum(d["prod"] for d in ds)
        if prod == 0:
            continue
        weighted = r2(100 * sum(d["eff"] for d in ds) / prod)
        mean = r2(sum(d["occ_pct"] for d in ds) / len(ds))
        differ += weighted != mean
    print(f"weeks={len(weeks)} differ={differ}")


if __name__ == "__main__":
    main()
