#!/usr/bin/env python3
"""deploy_grafana.py — the Grafana bundle (deploy/grafana/) without Grafana.

    deploy_grafana.py SOURCE_DIR

Static: the provisioning YAML and dashboard JSON are well-formed; the datasource is
cuwatch_reader with its password from the environment (never in the file); the dashboards
provider reads the folder compose mounts; every panel uses that datasource and reads only the
SPEC §8 views. Live: every variable query and every panel's rawSql, with Grafana's macros
substituted as Grafana does for PostgreSQL ($__timeFilter, $__timeFrom/To, $__timeGroup,
multi-value variables as quoted lists), runs as the read-only role against the database that
tests/deploy_grafana.sh loaded with demo data, returns rows, and returns the columns the panel
draws: a time column first for time series and timelines, numbers where numbers are drawn,
every column a field override names. The connection comes from libpq's environment (PGHOST,
PGPORT, PGDATABASE, PGUSER=cuwatch_reader, PGPASSWORD). Exits 1 listing every failure.
"""
import csv
import glob
import io
import json
import os
import re
import subprocess
import sys

import yaml

VIEWS = {"v_jour", "v_semaine", "v_mois", "v_etat", "v_pieces_heure", "v_fraicheur"}
NUMERIC = {"numeric", "integer", "bigint", "smallint", "double precision", "real"}
TIMESTAMP = {"timestamp without time zone", "timestamp with time zone"}
TEXT = {"text", "character varying"}
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
    return cond


def psql(sql, *args):
    r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *args], input=sql,
                       capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def run(sql):
    """(columns [(name, type)], rows [[str]]) or raises RuntimeError with psql's message."""
    rc, out, err = psql(sql.rstrip().rstrip(";") + "\n\\gdesc\n", "-A", "-t", "-F", "\t")
    if rc:
        raise RuntimeError(err.strip())
    cols = [tuple(line.split("\t", 1)) for line in out.splitlines() if line]
    rc, out, err = psql(sql.rstrip().rstrip(";") + ";\n", "--csv")
    if rc:
        raise RuntimeError(err.strip())
    rows = list(csv.reader(io.StringIO(out)))
    return cols, rows[1:]


def quote(v):
    return "'" + v.replace("'", "''") + "'"


def substitute(sql, tfrom, tto, variables):
    """Grafana's PostgreSQL macros and template variables, as Grafana expands them."""
    sql = re.sub(r"\$__timeFilter\(([^)]+)\)",
                 lambda m: f"{m.group(1).strip()} BETWEEN '{tfrom}' AND '{tto}'", sql)
    sql = sql.replace("$__timeFrom()", f"'{tfrom}'").replace("$__timeTo()", f"'{tto}'")

    def group(m, alias):
        col, interval = [a.strip() for a in m.group(1).split(",")[:2]]
        secs = {"s": 1, "m": 60, "h": 3600, "d": 86400}[interval.strip("'")[-1]] * \
            int(interval.strip("'")[:-1])
        expr = f"floor(extract(epoch from {col})/{secs})*{secs}"
        return expr + (' AS "time"' if alias else "")
    sql = re.sub(r"\$__timeGroupAlias\(([^)]+)\)", lambda m: group(m, True), sql)
    sql = re.sub(r"\$__timeGroup\(([^)]+)\)", lambda m: group(m, False), sql)
    for name, values in variables.items():
        text = ",".join(quote(v) for v in values)
        sql = re.sub(r"\$\{" + name + r"\}|\$" + name + r"\b", lambda m: text, sql)
    leftover = re.findall(r"\$\{?\w+", sql)
    if leftover:
        raise RuntimeError(f"unsupported macro or variable {leftover[0]} (not tested here)")
    return sql


def relations(sql):
    ctes = set(re.findall(r"(?:\bWITH|,)\s*(\w+)\s+AS\s*\(", sql, re.I))
    # Not "IS DISTINCT FROM x" nor "extract(epoch FROM x)": those name columns.
    used = set(re.findall(r"(?<!DISTINCT )(?<!epoch )\b(?:FROM|JOIN)\s+([\w.]+)", sql, re.I))
    return used - ctes


def check_provisioning(src, compose):
    grafana = (compose.get("services") or {}).get("grafana") or {}
    mounts = {}
    for v in grafana.get("volumes") or []:
        if isinstance(v, dict) and v.get("type") == "bind":
            mounts[v["target"]] = os.path.abspath(os.path.join(src, "deploy", v["source"]))
    prov = os.path.abspath(os.path.join(src, "deploy", "grafana", "provisioning"))
    check(mounts.get("/etc/grafana/provisioning") == prov,
          "compose: grafana does not mount deploy/grafana/provisioning at /etc/grafana/provisioning")
    ds_files = glob.glob(os.path.join(prov, "datasources", "*.yaml"))
    datasources = []
    for p in ds_files:
        with open(p, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        check(doc.get("apiVersion") == 1, f"{p}: apiVersion is not 1")
        datasources += doc.get("datasources") or []
    ds = [d for d in datasources if d.get("uid") == "cuwatch-pg"]
    if check(len(ds) == 1, "provisioning: no single datasource with uid cuwatch-pg"):
        d = ds[0]
        check(d.get("type") in ("grafana-postgresql-datasource", "postgres"),
              f"provisioning: datasource type {d.get('type')}")
        check(d.get("user") == "cuwatch_reader", "provisioning: the datasource is not cuwatch_reader")
        pw = str((d.get("secureJsonData") or {}).get("password", ""))
        check(re.fullmatch(r"\$\{?[A-Z_][A-Z0-9_]*\}?", pw) is not None,
              "provisioning: the datasource password is not an environment variable reference")
        check("password" not in json.dumps(d.get("jsonData") or {}).lower(),
              "provisioning: a password in jsonData")
        genv = grafana.get("environment") or {}
        for var in re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", yaml.safe_dump(d)):
            check(var in genv or var in str(grafana.get("entrypoint")),
                  f"compose: grafana does not set {var}, which the datasource uses")
    dash_files = glob.glob(os.path.join(prov, "dashboards", "*.yaml"))
    paths = []
    for p in dash_files:
        with open(p, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        check(doc.get("apiVersion") == 1, f"{p}: apiVersion is not 1")
        paths += [(pr.get("options") or {}).get("path") for pr in doc.get("providers") or []]
    check(any(mounts.get(p) == os.path.abspath(os.path.join(src, "deploy", "grafana", "dashboards"))
              for p in paths),
          "provisioning: no dashboards provider reads the folder compose mounts deploy/grafana/dashboards at")


def check_panel(dash, panel, tfrom, tto, variables):
    title = f"{dash}: panel {panel.get('title')!r}"
    ptype = panel.get("type")
    check((panel.get("datasource") or {}).get("uid") == "cuwatch-pg", f"{title}: not the cuwatch-pg datasource")
    targets = panel.get("targets") or []
    check(targets, f"{title}: no query")
    # A repeated panel runs once per value of its variable, with that value alone.
    runs = [variables]
    if panel.get("repeat"):
        runs = [dict(variables, **{panel["repeat"]: [v]}) for v in variables[panel["repeat"]]]
    for t in targets:
        sql = t.get("rawSql", "")
        check(t.get("rawQuery") is True and sql, f"{title}: not a raw SQL query")
        bad = relations(sql) - VIEWS
        check(not bad, f"{title}: reads {sorted(bad)}, not only the SPEC §8 views")
        fmt = t.get("format")
        total = 0
        for vars_ in runs:
            try:
                cols, rows = run(substitute(sql, tfrom, tto, vars_))
            except RuntimeError as e:
                check(False, f"{title}: {e}")
                continue
            total += len(rows)
            names = [c[0] for c in cols]
            types = [c[1] for c in cols]
            if fmt == "time_series" or ptype in ("state-timeline", "barchart", "timeseries"):
                if not check(names and names[0] == "time" and types[0] in TIMESTAMP,
                             f"{title}: the first column is {cols[:1]}, not a timestamp named time"):
                    continue
                times = [r[0] for r in rows]
                check(times == sorted(times), f"{title}: rows not in time order")
            if fmt == "time_series":
                if "metric" in names:
                    check(names == ["time", "metric", "value"] and types[1] in TEXT
                          and types[2] in NUMERIC,
                          f"{title}: long time series must be time, metric (text), value (number): {cols}")
                else:
                    check(all(ty in NUMERIC for ty in types[1:]), f"{title}: non-numeric series {cols}")
            elif ptype == "state-timeline":
                check(len(cols) == 2 and types[1] in TEXT, f"{title}: a timeline needs time and a state: {cols}")
                mapped = set()
                for m in (panel.get("fieldConfig") or {}).get("defaults", {}).get("mappings", []):
                    mapped |= set((m.get("options") or {}).keys())
                unmapped = {r[1] for r in rows} - mapped
                check(not unmapped, f"{title}: states without a colour: {sorted(unmapped)}")
            elif ptype == "barchart":
                check(len(cols) > 1 and all(ty in NUMERIC for ty in types[1:]),
                      f"{title}: bars must be numbers: {cols}")
            for o in (panel.get("fieldConfig") or {}).get("overrides", []):
                m = o.get("matcher") or {}
                if m.get("id") == "byName":
                    check(m.get("options") in names,
                          f"{title}: override for column {m.get('options')!r}, which the query does not return ({names})")
        check(total > 0, f"{title}: no rows on the demo data")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src = sys.argv[1]
    with open(os.path.join(src, "deploy", "compose.yaml"), encoding="utf-8") as f:
        compose = yaml.safe_load(f)
    check_provisioning(src, compose)
    # The demo data's span, as the dashboard's time picker would select it.
    try:
        _, rows = run("SELECT to_char(min(jour), 'YYYY-MM-DD\"T00:00:00Z\"'),"
                      " to_char(max(jour) + 1, 'YYYY-MM-DD\"T00:00:00Z\"') FROM v_jour")
    except RuntimeError as e:
        print(f"FAIL: reading v_jour as {os.environ.get('PGUSER')}: {e}", file=sys.stderr)
        return 1
    tfrom, tto = rows[0]
    dashboards = sorted(glob.glob(os.path.join(src, "deploy", "grafana", "dashboards", "*.json")))
    check(dashboards, "no dashboard in deploy/grafana/dashboards")
    uids = set()
    for path in dashboards:
        name = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            try:
                dash = json.load(f)
            except ValueError as e:
                check(False, f"{name}: invalid JSON: {e}")
                continue
        check(dash.get("uid") and dash["uid"] not in uids, f"{name}: missing or duplicate uid")
        uids.add(dash.get("uid"))
        variables = {}
        for v in (dash.get("templating") or {}).get("list", []):
            if v.get("type") != "query":
                continue
            try:
                cols, rows = run(substitute(v.get("query", ""), tfrom, tto, variables))
            except RuntimeError as e:
                check(False, f"{name}: variable {v.get('name')}: {e}")
                continue
            check(len(cols) == 1 and rows, f"{name}: variable {v.get('name')} gives {cols} and {len(rows)} rows")
            check(not relations(v.get("query", "")) - VIEWS, f"{name}: variable {v.get('name')} reads a table")
            variables[v["name"]] = [r[0] for r in rows]
        check("machine" in variables and "type" in variables, f"{name}: no machine and type variables")
        for panel in dash.get("panels") or []:
            check_panel(name, panel, tfrom, tto, variables)
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    if not failures:
        print(f"ok: {len(dashboards)} dashboard(s), every panel's SQL runs as {os.environ.get('PGUSER')} "
              f"over {tfrom}..{tto} with the columns it draws")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
