"""The fault timeline beside the progress bar, and the script that keeps the newest text in view."""

from typing import Callable, Sequence

import streamlit as st

from contractgen.faultplan import KINDS
from contractgen.recovery import Entry

# Runs in the page (st.html with JavaScript allowed; a constant, no outside text in it). While its marker
# element is on the page, it scrolls the draft's scrolling container to the bottom every 300 ms; once the
# marker is gone (the draft stopped, the toggle was turned off, another page opened) it ends itself.
FOLLOW = """<span id="contractgen-follow" style="display:none"></span>
<script>
(function () {
  if (window.contractgenFollow) return;
  window.contractgenFollow = setInterval(function () {
    if (!document.getElementById("contractgen-follow")) {
      clearInterval(window.contractgenFollow);
      window.contractgenFollow = null;
      return;
    }
    var targets = [document.querySelector('[data-testid="stMain"]'),
                   document.querySelector('[data-testid="stAppViewContainer"]'), document.scrollingElement];
    targets.forEach(function (el) {
      if (el && el.scrollHeight > el.clientHeight + 4) el.scrollTop = el.scrollHeight;
    });
  }, 300);
})();
</script>"""


def follow(slot) -> None:
    slot.html(FOLLOW, unsafe_allow_javascript=True)


def draw(slot, entries: Sequence[Entry], armed: Sequence[str], live: bool, safe: Callable[[str], str]) -> None:
    """The timeline into `slot` (an st.empty): each fault, where, how long until text flowed again, and how."""
    height = {"height": 300} if len(entries) > 4 else {}
    slot.empty()  # a block redrawn in place would keep the old block's extra children until the run ends
    with slot.container(border=True, **height):
        st.markdown("**Recovery timeline**")
        if armed:
            st.caption(":material/bolt: Armed now, strikes the next piece of text: " + ", ".join(KINDS[k][0] for k in armed))
        if not entries:
            st.caption("No faults so far." if live else "No faults: the draft was written without interruption.")
        for e in entries:
            # Material icons, not emoji: Streamlit ships their font, so every browser draws them.
            if e.recovered_after is not None:
                icon, after = ":green[:material/check_circle:]", f"text flowing again after **{e.recovered_after:.1f} s** · {e.how}"
            else:
                icon, after = (":orange[:material/sync:]" if live else ":gray[:material/pause_circle:]"), e.how
            st.markdown(f"{icon} **{e.number}. {e.label}** · {safe(e.section)}, character {e.offset:,}  \n{after}")
