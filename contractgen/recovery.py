"""What a person sees of a draft's recovery: each fault in plain words, where it struck, how long until text
flowed again and who resumed it; the status line's fault count; the seams marked in the text.

Built from the store's records (so it is the same during a draft and after it, in any process) plus the
moments a running draft saw text flow again (`Generation.flowed_at`, known before the store records them at
the end of the attempt). No streamlit here: contractgen_ui draws it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from .seam import JOINS
from .storage import FAULT_LABELS, FaultRecord, ResumeRecord, SeamRecord

_HEADING = re.compile(r"^## (\d+)\.? +(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Entry:
    number: int
    kind: str
    label: str  # the kind in plain words (storage.FAULT_LABELS)
    offset: int  # document position where it struck
    section: str  # "§3 Accounts", or "the title and preamble"
    detected_at: float
    recovered_after: float | None  # seconds from the fault to the next new text; None: not yet
    how: str  # "automatic", "by hand", "resuming...", "waiting for a resume"

    def line(self) -> str:
        after = f"text again after {self.recovered_after:.1f} s" if self.recovered_after is not None else self.how
        how = f" · {self.how}" if self.recovered_after is not None else ""
        return f"{self.label} · {self.section}, character {self.offset:,} · {after}{how}"


def section_at(text: str, offset: int) -> str:
    """The section holding document position `offset`, for people ("§3 Accounts")."""
    found = None
    for m in _HEADING.finditer(text):
        if m.start() > offset:
            break
        found = m
    return f"§{found.group(1)} {found.group(2).strip()}" if found else "the title and preamble"


def entries(text: str, faults: Sequence[FaultRecord], resumes: Sequence[ResumeRecord],
            flowed_at: Sequence[float] = (), *, live: bool = False) -> list[Entry]:
    """One entry per fault, oldest first. "Text again" is the first new text after the fault, whichever
    resume delivered it (two faults in a row before any text recover at the same moment)."""
    flows = sorted({*(r.first_token_at for r in resumes if r.first_token_at is not None), *flowed_at})
    by_fault = {r.fault_id: r for r in resumes if r.fault_id is not None}
    out = []
    for i, fault in enumerate(faults, 1):
        flowed = next((t for t in flows if t >= fault.detected_at), None)
        resume = by_fault.get(fault.id)
        if resume is not None:
            how = "automatic" if resume.auto else "by hand"
        elif flowed is not None:
            how = "automatic"  # answered by a later fault's resume, in the same run
        else:
            how = "resuming..." if live else "waiting for a resume"
        if resume is not None and flowed is None:
            how = "resuming..." if live else f"{how}, no new text yet"
        out.append(Entry(i, fault.kind, FAULT_LABELS.get(fault.kind, fault.kind), fault.offset,
                         section_at(text, fault.offset), fault.detected_at,
                         None if flowed is None else max(0.0, flowed - fault.detected_at), how))
    return out


def _plural(label: str, n: int) -> str:
    return label + "s" if n > 1 and label[-1].isalpha() else label


def handled(kinds: Sequence[str], total: int | None = None) -> str:
    """The status line's count: the seeds' words when every fault was a timeout, each kind named otherwise
    ("⚠️ 3 faults handled: 1 timeout, 1 connection reset, 1 server error"). `total`: faults counted where the
    kinds are not known yet (a fault just detected, not yet read back)."""
    total = max(total or 0, len(kinds))
    if not total:
        return ""
    if len(kinds) == total and set(kinds) == {"timeout"}:
        return f"⚠️ {total} timeout(s) handled"
    counts = Counter(kinds)
    named = ", ".join(f"{n} {_plural(FAULT_LABELS.get(k, k), n)}" for k, n in counts.items())
    unknown = total - len(kinds)
    if unknown:
        named += (", " if named else "") + f"{unknown} being recorded"
    return f"⚠️ {total} fault{'s' if total > 1 else ''} handled: {named}"


def seam_note(n: int, seam: SeamRecord) -> str:
    words = JOINS.get(seam.join_kind, seam.join_kind)
    dropped = f", {seam.dropped} characters dropped" if seam.dropped else ""
    return f"seam {n}: {words} ({seam.strategy}{dropped})"


def mark_seams(text: str, seams: Sequence[SeamRecord]) -> str:
    """The Markdown text with a badge where each resume joined: inline inside a line, on its own line
    at a line start (so a heading stays a heading)."""
    marked, last = [], 0
    for n, seam in enumerate(sorted(seams, key=lambda s: s.offset), 1):
        at = min(max(seam.offset, last), len(text))
        colour = "red" if seam.join_kind == "unverified" else "violet"
        badge = f":{colour}-badge[⟦{seam_note(n, seam)}⟧]"
        marked.append(text[last:at])
        marked.append(f"{badge}\n\n" if at == 0 or text[at - 1] == "\n" else f" {badge} ")
        last = at
    marked.append(text[last:])
    return "".join(marked)
