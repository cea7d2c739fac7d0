"""Benchmark-only baseline: the whole offline document through one plain st.write_stream.

Streams the same document at the same rate as the app (CONTRACTGEN_RATE, default 50
tokens/s), so benchmarks/render.py can compare what the browser receives.
"""

import os

import streamlit as st

from contractgen.offline import OfflineEngine
from contractgen.request import parse_request


def tokens():
    engine = OfflineEngine(rate=float(os.environ.get("CONTRACTGEN_RATE", 50)))
    for d in engine.stream(parse_request({"company": "Acme"})):
        if d.text:
            yield d.text


if st.button("Stream"):
    st.write_stream(tokens())
    st.success("Stream finished.")
