"""Check 5: mail header injection. CR/LF in the names, addresses and titles
that reach mail (registration, password reset, NGO colleagues, forum
threads with immediate notification, competition alerts) must be refused
(422) or never produce a header; after the outbox has run (`cus jobs run
outbox`), every .eml the server wrote is parsed with the stdlib email
package and searched for the injected headers."""

import email
import email.policy
import glob
import os

import fixtures as fx
from harness import FINDINGS, PASSWORD, SOCHACZEW, Client

CHECK = "5 mail header injection"
MARK = "X-Cus-Injected"
INJECT = ["\r\n%s: 1\r\nBcc: victim@attack.example" % MARK, "\n%s: 2" % MARK, "\r%s: 3" % MARK,
          "%0d%0a" + MARK + ": 4"]


def run(world, server):
    U = world.users
    anon = Client(world.base, "anonymous")
    sent = []

    def send(who, client, path, body, field):
        FINDINGS.probe(CHECK)
        a = client.call("POST" if not path.startswith("PUT ") else "PUT", path.replace("PUT ", ""), body=body)
        sent.append((who, path, field, a.status))
        if a.ok and "\r" in str(body.get(field, "")) + str(body.get("email", "")) and a.status != 202:
            # Accepted with a raw CR: the mail below must still be clean.
            pass
        if a.status is not None and not a.ok and a.status not in (400, 403, 404, 409, 422, 429):
            FINDINGS.add(CHECK, "%s %s (%s with CR/LF): %d" % (who, path, field, a.status))
        return a
    for i, inj in enumerate(INJECT):
        base = {"email": "mail%d@attack.example" % i, "password": PASSWORD, "first_name": "Jan" + inj,
                "last_name": "Nowak" + inj, "municipality": SOCHACZEW}
        send("anonymous", anon, "/api/v1/register", base, "first_name")
        send("anonymous", anon, "/api/v1/register", dict(base, first_name="Jan", last_name="Nowak",
                                                         email="mail%d@attack.example%s" % (i, inj)), "email")
        send("anonymous", anon, "/api/v1/password-reset", {"email": "ngo@sochaczew.example" + inj}, "email")
        send("ngo", U["ngo"], "/api/v1/organizations/%s/users" % world.records["organization"]["own"],
             {"email": "kol%d@attack.example" % i, "password": PASSWORD, "name": "Kolega" + inj}, "name")
        send("organizer", U["organizer"], "/api/v1/forum/threads",
             {"title": "Temat" + inj, "body": "Treść", "kind": "discussion"}, "title")
        send("organizer", U["organizer"], "/api/v1/users",
             {"email": "staff%d@attack.example" % i, "password": PASSWORD, "role": "desk",
              "municipality": SOCHACZEW, "display_name": "Pracownik" + inj}, "display_name")
        send("ngo", U["ngo"], "PUT /api/v1/organizations/%s" % world.records["organization"]["own"],
             dict(fx.organization_json("Fundacja Razem" + inj, 61), email="ngo@sochaczew.example"), "name")
    # Immediate forum mail to members, competition alerts to NGOs that asked.
    U["ngo"].call("PUT", "/api/v1/forum/me", body={"notify": "immediate"})
    for i, inj in enumerate(INJECT[:2]):
        c = send("organizer", U["organizer"], "/api/v1/competitions",
                 dict(fx.competition_json("Konkurs" + inj)), "title")
        if c.ok:
            U["organizer"].post("/api/v1/competitions/%s/publish" % c.json()["id"], {})
    # Mail that goes out legitimately (must be clean, and shows the relay works).
    anon.call("POST", "/api/v1/password-reset", body={"email": "resident@sochaczew.example"})
    server.run_job("outbox")
    files = glob.glob(os.path.join(server.mail_dir, "**", "*.eml"), recursive=True)
    if not files:
        FINDINGS.add(CHECK, "no mail was written to %s: nothing could be checked" % server.mail_dir)
    for f in files:
        raw = open(f, "rb").read()
        FINDINGS.probe(CHECK)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        names = [k.lower() for k in msg.keys()]
        if MARK.lower() in names or names.count("bcc"):
            FINDINGS.add(CHECK, "%s: injected header in mail to %s (%s)" % (os.path.basename(f), msg.get("to"),
                                                                           [k for k in msg.keys()]))
        head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        for line in head.splitlines():
            if line.lower().startswith(MARK.lower().encode()) or line.lower().startswith(b"bcc:"):
                FINDINGS.add(CHECK, "%s: header line %r" % (os.path.basename(f), line[:80]))
        if msg.defects:
            FINDINGS.add(CHECK, "%s: malformed mail (%s)" % (os.path.basename(f), msg.defects))
    return {"attempts": len(sent), "refused": sum(1 for s in sent if s[3] == 422), "mails_parsed": len(files)}
