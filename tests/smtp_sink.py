"""A test SMTP server: aiosmtpd on 127.0.0.1:PORT, each message saved as
DIR/N.eml. Prints "ready" once it listens. Used by tests/tests/mail.rs."""
import asyncio
import itertools
import pathlib
import sys

from aiosmtpd.controller import Controller


class Save:
    def __init__(self, folder):
        self.folder = pathlib.Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.counter = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        name = self.folder / f"{next(self.counter)}.eml"
        name.write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Save(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()  # runs until the test closes our stdin or kills us
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
