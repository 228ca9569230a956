"""The attack suite's harness: the real server in a subprocess, HTTP clients
that audit every response they get, and the list of findings."""

import json
import os
import re
import socket
import subprocess
import time
import uuid
from collections import OrderedDict

import requests

PASSWORD = "demo-password-2026"
SOCHACZEW = "1428011"
BRZEZINY = "1021011"

# The security headers every response must carry (README, "Security").
HEADER_RULES = [
    ("content-security-policy", lambda v: "script-src 'none'" in v and "frame-ancestors 'none'" in v,
     "script-src 'none' and frame-ancestors 'none'"),
    ("x-content-type-options", lambda v: v.lower() == "nosniff", "nosniff"),
    ("x-frame-options", lambda v: v.upper() == "DENY", "DENY"),
    ("referrer-policy", lambda v: v.lower() in ("same-origin", "no-referrer", "strict-origin",
                                                  "strict-origin-when-cross-origin"), "a strict policy"),
    ("cache-control", lambda v: bool(v.strip()), "present"),
]


class Findings:
    """Findings grouped by check; each one names the request and the answer."""

    def __init__(self):
        self.groups = OrderedDict()
        self.counts = OrderedDict()  # check -> number of probes made
        self.accepted = OrderedDict()  # check -> {status: n} of refusals seen

    def probe(self, check, n=1):
        self.counts[check] = self.counts.get(check, 0) + n

    def refusal(self, check, status):
        d = self.accepted.setdefault(check, {})
        d[status] = d.get(status, 0) + 1

    def add(self, check, text):
        if check == "7 cookies":
            name = text.split("=")[0]
            if any(t.split("=")[0] == name for t in self.groups.get(check, [])):
                return
        lst = self.groups.setdefault(check, [])
        if text not in lst:
            lst.append(text)

    def total(self):
        return sum(len(v) for v in self.groups.values())


FINDINGS = Findings()


def short(body, n=300):
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", "replace")
    body = body.replace("\n", "\\n")
    return body if len(body) <= n else body[:n] + "…"


class Answer:
    """A response, or the failure to get one (status None)."""

    def __init__(self, method, path, resp=None, error=None):
        self.method, self.path, self.resp, self.error = method, path, resp, error
        self.status = resp.status_code if resp is not None else None
        self.text = resp.text if resp is not None else ""
        self.headers = resp.headers if resp is not None else {}

    def json(self):
        try:
            return json.loads(self.text)
        except ValueError:
            return None

    @property
    def ok(self):
        return self.status is not None and 200 <= self.status < 300

    def __str__(self):
        if self.status is None:
            return "%s %s -> no answer (%s)" % (self.method, self.path, self.error)
        return "%s %s -> %d %s" % (self.method, self.path, self.status, short(self.text, 200))


class HeaderAudit:
    """Every response the suite receives is checked for the security
    headers and cookie flags; findings are deduplicated by kind of response."""

    def __init__(self):
        self.secure_cookies = False
        self.seen = {}  # kind -> count

    def kind(self, path, resp):
        ctype = resp.headers.get("content-type", "-").split(";")[0]
        return "%d %s %s" % (resp.status_code // 100 * 100, ctype,
                             "api" if path.startswith("/api/") else "page")

    def check(self, method, path, resp):
        k = self.kind(path, resp)
        self.seen[k] = self.seen.get(k, 0) + 1
        FINDINGS.probe("7 security headers")
        for name, ok, want in HEADER_RULES:
            v = resp.headers.get(name)
            if v is None or not ok(v):
                FINDINGS.add("7 security headers", "%s %s (%s): %s is %r, want %s"
                             % (method, re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "{id}", path), k, name, v, want))
        for c in resp.raw.headers.getlist("set-cookie") if hasattr(resp.raw, "headers") else []:
            low = c.lower()
            missing = [f for f in ("httponly", "samesite") if f not in low]
            if self.secure_cookies and "secure" not in low.split(";")[1:] and "; secure" not in low:
                missing.append("secure")
            if missing:
                FINDINGS.add("7 cookies", "Set-Cookie %s=… lacks %s (first seen on %s %s: %r)"
                             % (c.split("=")[0], ", ".join(missing), method, path.split("?")[0][:60], c[:120]))
                self.cookie_findings = getattr(self, "cookie_findings", 0) + 1


AUDIT = HeaderAudit()


class Client:
    """One principal: a bearer token for the API and/or a cookie session for
    the pages, on one keep-alive connection pool."""

    def __init__(self, base, name="anonymous", token=None):
        self.base, self.name, self.token = base, name, token
        self.s = requests.Session()
        self.csrf = None  # the session's CSRF token once signed in on the pages
        self.me = {}

    RETRIES = 0  # keep-alive races retried (all clients)

    def _fresh(self):
        """A new connection pool with the same cookies."""
        jar = self.s.cookies
        self.s.close()
        self.s = requests.Session()
        self.s.cookies.update(jar)

    def send(self, method, url, **kw):
        """One request; a connection the server closed while idle (its
        keep-alive timeout racing our reuse) is retried once on a fresh
        connection. Only a failure of the retry is a dropped connection."""
        try:
            return self.s.request(method, url, **kw), None
        except requests.ConnectionError:
            self._fresh()
            Client.RETRIES += 1
        try:
            return self.s.request(method, url, **kw), None
        except requests.RequestException as e:
            self._fresh()
            return None, type(e).__name__ + ": " + str(e)[:120]

    def call(self, method, path, body=None, raw=None, headers=None, token=None, auth=True,
             allow_redirects=False, timeout=30, params=None):
        h = {}
        tok = token if token is not None else self.token
        if auth and tok:
            h["authorization"] = "Bearer " + tok
        data = None
        if raw is not None:
            data = raw
        elif body is not None:
            data = json.dumps(body).encode()
            h["content-type"] = "application/json"
        if headers:
            h.update(headers)
        r, err = self.send(method, self.base + path, data=data, headers=h, params=params,
                           allow_redirects=allow_redirects, timeout=timeout)
        if r is None:
            a = Answer(method, path, error=err)
            FINDINGS.add("6 bad input", "dropped connection: %s %s as %s (%s)"
                         % (method, path[:120], self.name, a.error))
            return a
        AUDIT.check(method, path, r)
        a = Answer(method, path, r)
        if a.status == 500:
            FINDINGS.add("6 bad input", "500: %s %s as %s: %s" % (method, path[:160], self.name, short(a.text, 200)))
        if path.startswith("/api/") and a.status >= 400:
            FINDINGS.probe("6 error envelope")
            j = a.json()
            if not (isinstance(j, dict) and isinstance(j.get("error"), str) and isinstance(j.get("message"), str)):
                FINDINGS.add("6 error envelope", "%s %s: %d with %s body %r, want {error, message}"
                             % (method, re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "{id}", path.split("?")[0])[:80], a.status,
                                r.headers.get("content-type"), a.text[:80]))
        return a

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body=body if body is not None else {}, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body=body if body is not None else {}, **kw)

    # --- pages ---------------------------------------------------------------
    def form_post(self, path, fields, allow_redirects=False):
        r, err = self.send("POST", self.base + path, data=fields, allow_redirects=allow_redirects, timeout=30)
        if r is None:
            FINDINGS.add("6 bad input", "dropped connection: POST %s (form) as %s: %s" % (path, self.name, err))
            return Answer("POST", path, error=err)
        AUDIT.check("POST", path, r)
        a = Answer("POST", path, r)
        if a.status == 500:
            FINDINGS.add("6 bad input", "500: POST %s (form) as %s" % (path, self.name))
        return a

    def page(self, path):
        r, err = self.send("GET", self.base + path, allow_redirects=False, timeout=30)
        if r is None:
            FINDINGS.add("6 bad input", "dropped connection: GET %s as %s: %s" % (path, self.name, err))
            return Answer("GET", path, error=err)
        AUDIT.check("GET", path, r)
        a = Answer("GET", path, r)
        if a.status == 500:
            FINDINGS.add("6 bad input", "500: GET %s (page) as %s" % (path, self.name))
        return a

    def sign_in_page(self, email, password=PASSWORD):
        """Signs in through the login form (anonymous CSRF cookie pair), then
        reads the session's CSRF token from a page with a form."""
        r = self.page("/login")
        m = re.search(r'name="csrf" value="([^"]+)"', r.text)
        a = self.form_post("/login", {"csrf": m.group(1) if m else "", "email": email, "password": password})
        if a.status not in (302, 303):
            raise RuntimeError("page sign-in of %s answered %s" % (email, a))
        self.csrf = self.fresh_csrf()
        return self.csrf

    def fresh_csrf(self):
        for p in ("/profile", "/logout"):
            r = self.page(p)
            m = re.search(r'name="csrf" value="([^"]+)"', r.text)
            if m:
                return m.group(1)
        return None


def sign_in(base, email, name=None, password=PASSWORD):
    c = Client(base, name or email)
    a = c.call("POST", "/api/v1/session", {"email": email, "password": password}, auth=False)
    if a.status not in (200, 201):
        raise RuntimeError("sign-in of %s answered %s" % (email, a))
    c.token = a.json()["token"]
    c.me = a.json()["user"]
    me = c.get("/api/v1/me").json() or {}
    c.me.update(me)
    return c


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """`cus serve` on its own config file: database, port, mail directory;
    jobs off (the suite runs the outbox by hand with `cus jobs run outbox`)."""

    def __init__(self, binary, work, database_url, demo, secure_cookies=False, name="server"):
        self.binary, self.work, self.url, self.name = binary, work, database_url, name
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.mail_dir = os.path.join(work, "mail")
        self.config = os.path.join(work, name + ".toml")
        # /metrics is on, behind a token no principal of the suite holds.
        self.metrics_token = "metrics-" + uuid.uuid4().hex
        with open(self.config, "w") as f:
            f.write(
                "[server]\nbind = \"127.0.0.1:%d\"\nworkers = 2\npublic_url = \"%s\"\n"
                "[database]\nurl = \"%s\"\n[mail]\nmail_dir = \"%s\"\n[jobs]\nenabled = false\n"
                "[security]\nsecure_cookies = %s\n[metrics]\ntoken = \"%s\"\n"
                % (self.port, self.base, database_url, self.mail_dir, "true" if secure_cookies else "false",
                   self.metrics_token))
        self.log = os.path.join(work, name + ".log")
        args = [binary, "--config", self.config, "serve"]
        if demo:
            args.append("--demo")
        env = dict(os.environ, CUS_LOG=os.environ.get("CUS_LOG", "warn"))
        for k in ("CUS_DATABASE_URL", "CUS_BIND", "CUS_SMTP_URL", "CUS_MAIL_DIR", "CUS_PUBLIC_URL", "CUS_CONFIG"):
            env.pop(k, None)
        with open(self.log, "ab") as f:
            self.proc = subprocess.Popen(args, env=env, stdout=f, stderr=subprocess.STDOUT)
        deadline = time.time() + 90
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited (%s); see %s" % (name, self.proc.returncode, self.log))
            try:
                if requests.get(self.base + "/api/v1/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.time() > deadline:
                raise RuntimeError("%s not healthy after 90 s; see %s" % (name, self.log))
            time.sleep(0.1)

    def run_job(self, job):
        subprocess.run([self.binary, "--config", self.config, "jobs", "run", job], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=35)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def random_id():
    return str(uuid.uuid4())
