#!/usr/bin/env python3
"""deploy_static.py — static checks of what deploy/ ships (no container engine needed).

    deploy_static.py compose    SOURCE_DIR   compose.yaml: the three services, the upload
                                             volume read-only for cuwatch, passwords as secrets
    deploy_static.py dockerfile SOURCE_DIR [CUWATCH]
                                             Dockerfile: Debian 12 stages, non-root runtime
                                             USER, health check, entry point; with CUWATCH,
                                             the runtime stage installs the Debian package of
                                             every library the binary links (DT_NEEDED)

Needs PyYAML (Debian: python3-yaml). Exits 0 when every check passes, 1 otherwise, listing
every failure rather than stopping at the first.
"""
import os
import re
import shlex
import sys

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
    return cond


def parse_mount(entry):
    """A compose volume entry (short "src:dst[:ro]" or long form) as (source, target, ro)."""
    if isinstance(entry, str):
        parts = entry.split(":")
        src, dst = parts[0], parts[1] if len(parts) > 1 else parts[0]
        opts = parts[2].split(",") if len(parts) > 2 else []
        return src, dst, "ro" in opts
    return entry.get("source"), entry.get("target"), bool(entry.get("read_only"))


def names(entries):
    return [e if isinstance(e, str) else e.get("source") for e in entries or []]


def plain_passwords(env):
    """Environment entries that carry a password value rather than a *_FILE path."""
    if isinstance(env, dict):
        items = env.items()
    else:
        items = [(e.split("=", 1) + [""])[:2] for e in env or []]
    return [k for k, v in items if re.search(r"PASS(WORD)?$", str(k)) and v not in (None, "")]


def check_compose(src):
    import yaml

    path = os.path.join(src, "deploy", "compose.yaml")
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    services = doc.get("services") or {}
    check(set(services) >= {"ftp", "db", "cuwatch"},
          f"compose: services are {sorted(services)}, expected ftp, db and cuwatch")
    top_volumes = doc.get("volumes") or {}
    check("uploads" in top_volumes, "compose: no named volume 'uploads'")

    ftp = services.get("ftp") or {}
    check(any(s == "uploads" and t == "/home/vsftpd" and not ro
              for s, t, ro in map(parse_mount, ftp.get("volumes"))),
          "compose: ftp does not mount 'uploads' read-write at /home/vsftpd")

    cw = services.get("cuwatch") or {}
    mounts = [parse_mount(v) for v in cw.get("volumes") or []]
    check(any(s == "uploads" and t == "/home/vsftpd" and ro for s, t, ro in mounts),
          "compose: cuwatch does not mount 'uploads' read-only at /home/vsftpd")
    check(all(ro for s, t, ro in mounts if s == "uploads"),
          "compose: cuwatch has a writable mount of 'uploads'")
    build = cw.get("build") or {}
    check(isinstance(build, dict) and build.get("dockerfile") == "deploy/Dockerfile",
          "compose: cuwatch is not built from deploy/Dockerfile")
    check("db_password" in names(cw.get("secrets")), "compose: cuwatch lacks the db_password secret")
    dep = cw.get("depends_on") or {}
    check("db" in dep, "compose: cuwatch does not depend on db")
    confs = cw.get("configs") or []
    check(any(isinstance(c, dict) and c.get("target") == "/etc/cuwatch/cuwatch.yaml" for c in confs)
          or any(t == "/etc/cuwatch/cuwatch.yaml" for s, t, ro in mounts),
          "compose: cuwatch gets no configuration at /etc/cuwatch/cuwatch.yaml")

    db = services.get("db") or {}
    check(str(db.get("image", "")).startswith("postgres:15"), "compose: db is not postgres:15")
    check("healthcheck" in db and "pg_isready" in str(db["healthcheck"].get("test")),
          "compose: db has no pg_isready health check")
    check(any(t == "/var/lib/postgresql/data" and s in top_volumes
              for s, t, ro in map(parse_mount, db.get("volumes"))),
          "compose: db data is not on a named volume")
    dbenv = db.get("environment") or {}
    check("POSTGRES_PASSWORD_FILE" in (dbenv if isinstance(dbenv, dict) else
                                       [e.split("=")[0] for e in dbenv]),
          "compose: db does not read POSTGRES_PASSWORD_FILE")
    check("db_password" in names(db.get("secrets")), "compose: db lacks the db_password secret")

    for name, svc in services.items():
        bad = plain_passwords(svc.get("environment"))
        check(not bad, f"compose: service {name} has plain password values: {bad}")
    secrets = doc.get("secrets") or {}
    check({"db_password"} <= set(secrets), "compose: no top-level db_password secret")
    for name, s in secrets.items():
        check(isinstance(s, dict) and ("file" in s or "external" in s or "environment" in s),
              f"compose: secret {name} has no source")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    check(not re.search(r"^\s*POSTGRES_PASSWORD\s*:", text, re.M),
          "compose: a plain POSTGRES_PASSWORD value")

    check_compose_operations(src, doc, text)

    # The configuration the compose stack mounts must use the secret.
    cw_configs = [c.get("source") for c in cw.get("configs") or [] if isinstance(c, dict)]
    for c in [(doc.get("configs") or {}).get(n) or {} for n in cw_configs]:
        cpath = os.path.join(src, "deploy", c.get("file", ""))
        check(os.path.isfile(cpath), f"compose: config file {c.get('file')!r} does not exist")
        if os.path.isfile(cpath):
            with open(cpath, encoding="utf-8") as f:
                cfg = yaml.safe_load(f)
            db_cfg = cfg.get("database") or {}
            check(db_cfg.get("password_file") == "/run/secrets/db_password",
                  f"compose: {c['file']} does not read the password from /run/secrets/db_password")
            check("password" not in str(db_cfg.get("conninfo", "")).lower(),
                  f"compose: {c['file']} has a password in conninfo")


def check_compose_operations(src, doc, text):
    """What an operator expects beyond the topology (issue 10)."""
    services = doc.get("services") or {}
    ftp = services.get("ftp") or {}
    fenv = ftp.get("environment") or {}
    pasv = str(fenv.get("PASV_ADDRESS", "")) if isinstance(fenv, dict) else ""
    check(re.fullmatch(r"\$\{FTP_PASV_ADDRESS:\?.+\}", pasv) is not None,
          f"compose: ftp's PASV_ADDRESS is {pasv!r}, not a required ${{FTP_PASV_ADDRESS:?...}}")
    check(ftp.get("init") is True, "compose: ftp lacks init: true (vsftpd's sessions are not reaped)")
    for name, svc in services.items():
        log = svc.get("logging") or {}
        opts = log.get("options") or {}
        check(log.get("driver", "json-file") in ("json-file", "local") and "max-size" in opts
              and "max-file" in opts, f"compose: service {name} has no log size limit")
        env = svc.get("environment") or {}
        check(isinstance(env, dict) and "TZ" in env, f"compose: service {name} has no TZ")

    # cuwatch is not the superuser: its conninfo names cuwatch_writer, which the db's init
    # script creates; the reader role exists for dashboards.
    db = services.get("db") or {}
    dbenv = db.get("environment") or {}
    superuser = dbenv.get("POSTGRES_USER", "postgres") if isinstance(dbenv, dict) else "postgres"
    confs = {c.get("target"): (doc.get("configs") or {}).get(c.get("source"), {})
             for c in db.get("configs") or [] if isinstance(c, dict)}
    init = [t for t in confs if str(t).startswith("/docker-entrypoint-initdb.d/")]
    if check(init, "compose: db has no init script in /docker-entrypoint-initdb.d"):
        path = os.path.join(src, "deploy", confs[init[0]].get("file", ""))
        if check(os.path.isfile(path), f"compose: the db init script {path} does not exist"):
            with open(path, encoding="utf-8") as f:
                sql = f.read()
            for role in ("cuwatch_writer", "cuwatch_reader"):
                check(role in sql, f"compose: the db init script does not create {role}")
            check("/run/secrets/db_password" in sql and "/run/secrets/db_reader_password" in sql,
                  "compose: the db init script does not read the role passwords from secrets")
    for name, svc in services.items():
        if name != "ftp" and svc.get("secrets"):
            check(str(svc.get("user", "")).endswith(":10001") or name == "cuwatch",
                  f"compose: service {name} reads 0640 secrets of group 10001 without that group")
    check({"db_password", "db_reader_password"} <= set(names(db.get("secrets"))),
          "compose: db lacks the role password secrets")
    check(dbenv.get("POSTGRES_PASSWORD_FILE") != "/run/secrets/db_password",
          "compose: cuwatch's password is the superuser's")
    cfgs = doc.get("configs") or {}
    if "cuwatch_config" in cfgs:
        import yaml
        with open(os.path.join(src, "deploy", cfgs["cuwatch_config"].get("file", "")),
                  encoding="utf-8") as f:
            conninfo = str(((yaml.safe_load(f) or {}).get("database") or {}).get("conninfo", ""))
        m = re.search(r"\buser=(\S+)", conninfo)
        check(m is not None and m.group(1) == "cuwatch_writer",
              f"compose: cuwatch connects as {m.group(1) if m else 'the default user'}, "
              f"not cuwatch_writer (the superuser is {superuser})")
    ports = [str(p) for p in db.get("ports") or []]
    check(any(p.endswith(":5432") for p in ports), "compose: the database port is not published")
    check(re.search(r"^#.*(Excel|BI)", text, re.M) is not None,
          "compose: the published database port is not documented for Excel/BI")

    cw = services.get("cuwatch") or {}
    hc = cw.get("healthcheck") or {}
    check("cuwatch-healthcheck" in str(hc.get("test")),
          "compose: cuwatch's health check is not cuwatch-healthcheck (/healthz, else --check)")

    gf = services.get("grafana")
    if check(gf is not None, "compose: no grafana service"):
        check("grafana" in (gf.get("profiles") or []), "compose: grafana is not under a profile")
        check("db_reader_password" in names(gf.get("secrets")),
              "compose: grafana does not get cuwatch_reader's password secret")
        check("db_password" not in names(gf.get("secrets")),
              "compose: grafana gets cuwatch_writer's password")
        targets = [parse_mount(v)[1] for v in gf.get("volumes") or []]
        check("/etc/grafana/provisioning" in targets, "compose: grafana's provisioning is not mounted")


def dockerfile_stages(text):
    """[(base image, [(instruction, args), ...]), ...] — continuation lines joined."""
    text = re.sub(r"\\\n", " ", text)
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instr, _, args = line.partition(" ")
        instr = instr.upper()
        if instr == "FROM":
            stages.append((args.split()[0], []))
        elif stages:
            stages[-1][1].append((instr, args.strip()))
    return stages


def needed_packages(binary):
    """Debian packages of the binary's direct shared libraries (not libc, not sanitizers)."""
    import subprocess
    out = subprocess.run(["objdump", "-p", binary], capture_output=True, text=True, check=True).stdout
    needed = re.findall(r"^\s*NEEDED\s+(\S+)", out, re.M)
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    where = dict(re.findall(r"^\s*(\S+) => (/\S+)", ldd, re.M))
    pkgs = {}
    for so in needed:
        if re.match(r"lib(c|m|pthread|dl|rt|gcc_s|asan|ubsan)\.so", so) or so not in where:
            continue
        path = os.path.realpath(where[so])
        r = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
        if r.returncode != 0:  # merged /usr: dpkg knows the /lib spelling
            r = subprocess.run(["dpkg", "-S", re.sub(r"^/usr/lib/", "/lib/", path)],
                               capture_output=True, text=True)
        if r.returncode == 0:
            pkgs[so] = r.stdout.split(":")[0]
    return pkgs


def check_dockerfile(src, binary=None):
    with open(os.path.join(src, "deploy", "Dockerfile"), encoding="utf-8") as f:
        stages = dockerfile_stages(f.read())
    if not check(len(stages) >= 2, "Dockerfile: not a multi-stage build"):
        return
    check(stages[0][0].startswith("debian:12"), "Dockerfile: the build stage is not Debian 12")
    base, instrs = stages[-1]
    check(base == "debian:12-slim", f"Dockerfile: runtime stage is {base}, expected debian:12-slim")
    users = [a for i, a in instrs if i == "USER"]
    if check(users, "Dockerfile: the runtime stage has no USER"):
        user = users[-1].split(":")[0]
        check(user not in ("root", "0"), f"Dockerfile: the runtime stage runs as {user}")
    health = [a for i, a in instrs if i == "HEALTHCHECK"]
    check(any("cuwatch-healthcheck" in h for h in health),
          "Dockerfile: the HEALTHCHECK is not cuwatch-healthcheck (/healthz, else --check)")
    check(any("cuwatch-healthcheck.sh" in a and "/usr/local/bin/cuwatch-healthcheck" in a
              for i, a in instrs if i == "COPY"),
          "Dockerfile: deploy/cuwatch-healthcheck.sh is not installed in the image")
    entry = [a for i, a in instrs if i == "ENTRYPOINT"]
    check(entry and "cuwatch" in entry[-1], "Dockerfile: ENTRYPOINT is not cuwatch")
    runs = " ".join(a for i, a in instrs if i == "RUN")
    for dev in ("build-essential", "cmake", "-dev"):
        check(dev not in runs, f"Dockerfile: the runtime stage installs {dev}")
    for lib in ("libpq5", "libyaml-0-2", "libssl3"):
        check(lib in runs, f"Dockerfile: the runtime stage lacks {lib}")
    if binary:
        for so, pkg in sorted(needed_packages(binary).items()):
            check(re.search(r"(^|\s)" + re.escape(pkg) + r"(\s|$)", runs) is not None,
                  f"Dockerfile: cuwatch needs {so}, but the runtime stage does not install {pkg}")
        # The build stage needs the headers of each (zlib comes with libxlsxwriter-dev).
        build_pkgs = " ".join(a for i, a in stages[0][1] if i == "RUN")
        dev = {"libpq5": "libpq-dev", "libyaml-0-2": "libyaml-dev", "libssl3": "libssl-dev",
               "libsystemd0": "libsystemd-dev", "libmicrohttpd12": "libmicrohttpd-dev"}
        for pkg in needed_packages(binary).values():
            d = dev.get(pkg) or ("libxlsxwriter-dev" if pkg.startswith("libxlsxwriter") else None)
            if d:
                check(d in build_pkgs, f"Dockerfile: the build stage lacks {d} (for {pkg})")
    copies = [a for i, a in instrs if i == "COPY"]
    check(any("/etc/cuwatch/cuwatch.yaml" in c for c in copies),
          "Dockerfile: no configuration at /etc/cuwatch/cuwatch.yaml")
    check(any(c.startswith("--from=") and "cuwatch" in c for c in copies),
          "Dockerfile: the binary is not copied from the build stage")
    build_runs = " ".join(a for i, a in stages[0][1] if i == "RUN")
    check("BUILD_TESTING=OFF" in build_runs, "Dockerfile: the build does not turn tests off")


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in ("compose", "dockerfile"):
        print(__doc__, file=sys.stderr)
        return 2
    what, src = sys.argv[1], sys.argv[2]
    try:
        if what == "dockerfile":
            check_dockerfile(src, sys.argv[3] if len(sys.argv) == 4 else None)
        else:
            check_compose(src)
    except ImportError:
        print("deploy_static.py: PyYAML is missing (Debian: apt-get install python3-yaml)",
              file=sys.stderr)
        return 1
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    if not failures:
        print(f"ok: {what}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
