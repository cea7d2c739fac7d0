"""A process that races others to resume drafts: `python tests/racer.py URL START STEP OUT ID...`.

For the k-th id it waits until START + k*STEP (epoch seconds, the same for every racer), then asks its own
GenerationManager to resume the draft by hand. The winner writes the draft to its end; every racer records
what happened to it as JSON lines in OUT (won / refused with the message)."""

import json
import sys
import time

from contractgen.config import Settings
from contractgen.errors import InputError
from contractgen.generation import GenerationManager, follow
from contractgen.storage import Store


def main() -> None:
    url, start, step, out, *ids = sys.argv[1:]
    manager = GenerationManager(Store(url))
    settings = Settings(provider="offline", rate=0, lease_seconds=5)
    with open(out, "w", encoding="utf-8") as log:
        for k, id in enumerate(ids):
            time.sleep(max(0.0, float(start) + k * float(step) - time.time()))
            try:
                generation = manager.resume(id, settings)
            except InputError as exc:
                log.write(json.dumps({"id": id, "won": False, "why": str(exc)}) + "\n")
                continue
            follow(generation, poll=0.02)
            generation.join(10)
            log.write(json.dumps({"id": id, "won": True, "status": generation.status}) + "\n")
            log.flush()


if __name__ == "__main__":
    main()
