"""A test SMTP server: aiosmtpd on 127.0.0.1:PORT, each accepted message
saved as DIR/N.eml. Prints "ready" once it listens. Used by tests/tests/mail.rs
and scripts/drill-jobs.

    smtp_sink.py PORT DIR [--delay S] [--refuse P] [--seed N]
                          [--pause-every N --pause S] [--log FILE]

--delay S         wait S seconds before answering each DATA (a slow server)
--refuse P        answer a fraction P of messages (at random) with
                  "451 try again later" and keep nothing
--seed N          seed of that random choice (reproducible drills)
--pause-every N   every N-th accepted message: save it, log "paused", then
                  wait --pause seconds before the 250 (the window in which the
                  drill kills the relay: accepted here, not yet marked sent)
--log FILE        one line per event: "<unix time> accepted|refused|paused
                  <Message-ID>"
"""
import argparse
import asyncio
import itertools
import pathlib
import random
import re
import sys
import time

from aiosmtpd.controller import Controller


def message_id(data):
    m = re.search(rb"^Message-ID:\s*(<[^>\r\n]+>)", data, re.IGNORECASE | re.MULTILINE)
    return m.group(1).decode() if m else "-"


class Save:
    def __init__(self, args):
        self.folder = pathlib.Path(args.dir)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.counter = itertools.count(1)
        self.accepted = 0
        self.args = args
        self.random = random.Random(args.seed)
        self.log = open(args.log, "a", buffering=1) if args.log else None

    def note(self, what, mid):
        if self.log:
            self.log.write(f"{time.time():.3f} {what} {mid}\n")

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        mid = message_id(data)
        if self.args.delay:
            await asyncio.sleep(self.args.delay)
        if self.args.refuse and self.random.random() < self.args.refuse:
            self.note("refused", mid)
            return "451 4.3.0 Try again later"
        name = self.folder / f"{next(self.counter)}.eml"
        name.write_bytes(data)
        self.accepted += 1
        if self.args.pause_every and self.accepted % self.args.pause_every == 0:
            self.note("paused", mid)
            await asyncio.sleep(self.args.pause)
        self.note("accepted", mid)
        return "250 Message accepted for delivery"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("dir")
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--refuse", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--pause-every", type=int, default=0)
    p.add_argument("--pause", type=float, default=3.0)
    p.add_argument("--log")
    args = p.parse_args()
    controller = Controller(Save(args), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()  # runs until the caller closes our stdin or kills us
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
