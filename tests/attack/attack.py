"""The attack suite (issue 10): the real `cus serve --demo` on a fresh
database, attacked over HTTP as every demo role. Exits 1 with the findings,
grouped by check, when any attack succeeded. See tests/attack/run."""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import AUDIT, FINDINGS, Server  # noqa: E402
import fixtures  # noqa: E402
import authz  # noqa: E402
import escalation  # noqa: E402
import web  # noqa: E402
import mail  # noqa: E402
import badinput  # noqa: E402


def database(args, work):
    if args.backend == "sqlite":
        return os.path.join(work, "cus.db")
    base = args.pg_url or os.environ.get("CUS_ATTACK_PG_URL") or os.environ.get("PG_URL")
    if not base:
        sys.exit("attack: --backend postgres needs --pg-url (or CUS_ATTACK_PG_URL)")
    name = "cus_attack_%s" % uuid.uuid4().hex[:10]
    subprocess.run(["psql", base, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE " + name],
                   check=True, stdout=subprocess.DEVNULL)
    url = base.rsplit("/", 1)[0] + "/" + name
    subprocess.run([args.bin, "--database", url, "migrate"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return url


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--bin", default=os.environ.get("CUS_BIN", "target/debug/cus"))
    ap.add_argument("--pg-url", default=None)
    ap.add_argument("--only", action="append", default=[],
                    help="run only these checks: authz escalation csrf xss mail badinput headers operations")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)
    if not os.access(args.bin, os.X_OK):
        sys.exit("attack: no cus binary at %s" % args.bin)
    want = set(args.only) or {"authz", "escalation", "csrf", "xss", "mail", "badinput", "headers",
                              "operations"}
    started = time.time()
    work = tempfile.mkdtemp(prefix="cus-attack-")
    servers = []
    summary = {}
    try:
        url = database(args, work)
        t = time.time()
        srv = Server(args.bin, work, url, demo=True)
        servers.append(srv)
        print("attack: %s server at %s (%.1f s to start with demo data)" % (args.backend, srv.base, time.time() - t),
              flush=True)
        t = time.time()
        world = fixtures.build(srv.base)
        world.server = srv
        print("attack: fixtures: %d principals, %d kinds of record (%.1f s)"
              % (len(world.users) + 1, len(world.records), time.time() - t), flush=True)
        doc = world.users["admin"].get("/api/v1/openapi.json").json()

        def step(name, fn):
            if name not in want:
                return
            t = time.time()
            n = FINDINGS.total()
            summary[name] = fn()
            print("attack: %-10s %5.1f s, %d finding(s)%s" % (
                name, time.time() - t, FINDINGS.total() - n,
                "" if not summary[name] else "  " + json.dumps(summary[name], ensure_ascii=False)[:300]),
                flush=True)

        spare = {p: fixtures.spare_tokens(world, p, 1) for p in world.users}
        step("authz", lambda: authz.run(world, doc, spare))
        step("escalation", lambda: escalation.run(world))
        step("xss", lambda: web.xss(world))
        step("csrf", lambda: web.csrf(world))
        step("mail", lambda: mail.run(world, srv))
        step("badinput", lambda: badinput.run(world, doc))
        step("headers", lambda: web.headers(world))
        step("operations", lambda: web.operations(world))
        if "headers" in want:
            t = time.time()
            srv2 = Server(args.bin, work, url, demo=False, secure_cookies=True, name="secure")
            servers.append(srv2)
            AUDIT.secure_cookies = True
            summary["secure"] = web.secure_pass(srv2.base)
            AUDIT.secure_cookies = False
            print("attack: secure     %5.1f s (a second server with security.secure_cookies)" % (time.time() - t))
        for s in servers:
            if not s.alive():
                FINDINGS.add("6 bad input", "the server %s died during the run; see %s" % (s.name, s.log))
    finally:
        for s in servers:
            s.stop()
    elapsed = time.time() - started
    probes = sum(FINDINGS.counts.values())
    print("\nattack: %s, %d probes in %.0f s" % (args.backend, probes, elapsed))
    for check, n in FINDINGS.counts.items():
        print("  %-30s %6d probes" % (check, n))
    print("  idle keep-alive connections closed by the server and retried once: %d" % harness.Client.RETRIES)
    print("  response kinds seen: %d (%s)" % (len(AUDIT.seen), ", ".join(sorted(AUDIT.seen))))
    print("  refusals seen (status: count):")
    for check, d in FINDINGS.accepted.items():
        print("    %-45s %s" % (check, ", ".join("%d: %d" % kv for kv in sorted(d.items()))))
    if "authz" in summary and summary["authz"]["unclassified"]:
        print("  operations not in the table (checked with the default rule): "
              + ", ".join(summary["authz"]["unclassified"]))
    if FINDINGS.total():
        print("\nattack: %d FINDING(S)" % FINDINGS.total())
        for check, items in FINDINGS.groups.items():
            print("\n[%s] %d" % (check, len(items)))
            for i in items:
                print("  - " + i)
        print("\nwork directory kept: %s" % work)
        return 1
    print("attack: no findings")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
