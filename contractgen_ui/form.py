"""Draws a document type's guided form from contractgen.forms: one tab per step, one widget per field."""

import datetime as dt

import streamlit as st

from contractgen.forms import FieldSpec, choice_label, steps


def _widget(doc_type: str, f: FieldSpec, prefilled: frozenset[str] = frozenset()):
    key = f"{doc_type}.{f.name}"  # answers are kept per type when switching between types
    label = f.label + (" *" if f.required else "")
    limit = f"Up to {f.max_chars:,} characters." if f.max_chars else ""
    common = {"key": key, "help": " ".join(filter(None, [f.help, limit])) or None}
    # A value prefilled in this run (from an earlier draft, through st.session_state) is the widget's value:
    # passing a default as well would make Streamlit warn about two sources. Otherwise the default is always
    # passed: a key left in the session by another page's visit does not carry its value back.
    given = key in prefilled
    if f.kind == "bool":
        return st.checkbox(label, **({} if given else {"value": f.default}), **common)
    if f.kind == "int":
        return st.number_input(label, int(f.minimum) if f.minimum is not None else None,
                               int(f.maximum) if f.maximum is not None else None,
                               **({} if given else {"value": int(f.default)}), **common)
    if f.kind == "float":
        return st.number_input(label, f.minimum, f.maximum, **({} if given else {"value": float(f.default)}),
                               step=0.01, format="%.3f", **common)
    if f.kind == "choice":
        return st.selectbox(label, f.options, **({} if given else {"index": f.options.index(f.default)}),
                            format_func=choice_label, **common)
    if f.kind == "multi":
        return st.multiselect(label, f.options, **({} if given else {"default": list(f.default)}),
                              format_func=choice_label, **common)
    if f.kind == "date":
        return st.date_input(label, **({} if given else {"value": f.default}), **common)
    widget = st.text_area if f.kind == "textarea" else st.text_input
    # No max_chars: the browser would cut a long paste silently. The limit is shown before typing
    # (placeholder and help), and an answer over it is refused with the form's message, nothing cut.
    return widget(label, **({} if given else {"value": f.default or ""}), placeholder=limit or None, **common)


def guided_form(doc_type: str, prefilled: frozenset[str] = frozenset()) -> dict:
    """The answers as typed, not yet validated (parse_request does that, with clear messages). `prefilled`:
    the keys `prefill` set in this run."""
    answers = {"doc_type": doc_type}
    form_steps = steps(doc_type)
    for tab, step in zip(st.tabs([f"{i}. {s.title}" for i, s in enumerate(form_steps, 1)]), form_steps):
        with tab:
            for f in step.fields:
                answers[f.name] = _widget(doc_type, f, prefilled)
    return answers


def prefill(doc_type: str, request: dict) -> frozenset[str]:
    """Put an earlier draft's answers into the form (before it is drawn), to change before generating.
    Returns the keys set, for `guided_form`."""
    st.session_state["doc_type"] = doc_type
    keys = set()
    fields = {f.name: f for step in steps(doc_type) for f in step.fields}
    for name, value in request.items():
        f = fields.get(name)
        if f is None or value is None:  # not a form field (doc_type itself, or one a newer form dropped)
            continue
        if f.kind == "date" and isinstance(value, str):
            value = dt.date.fromisoformat(value)
        elif f.kind == "int":
            value = int(value)
        elif f.kind == "float":
            value = float(value)
        elif f.kind == "multi":
            value = [v for v in value if v in f.options]
        elif f.kind == "choice" and value not in f.options:
            continue
        elif f.kind in ("text", "textarea"):
            value = str(value)
        st.session_state[f"{doc_type}.{name}"] = value
        keys.add(f"{doc_type}.{name}")
    return frozenset(keys)
