"""Draws a document type's guided form from contractgen.forms: one tab per step, one widget per field."""

import streamlit as st

from contractgen.forms import FieldSpec, choice_label, steps


def _widget(doc_type: str, f: FieldSpec):
    key = f"{doc_type}.{f.name}"  # answers are kept per type when switching between types
    label = f.label + (" *" if f.required else "")
    common = {"key": key, "help": f.help or None}
    if f.kind == "bool":
        return st.checkbox(label, f.default, **common)
    if f.kind == "int":
        return st.number_input(label, int(f.minimum) if f.minimum is not None else None,
                               int(f.maximum) if f.maximum is not None else None, int(f.default), **common)
    if f.kind == "float":
        return st.number_input(label, f.minimum, f.maximum, float(f.default), step=0.01, format="%.3f", **common)
    if f.kind == "choice":
        return st.selectbox(label, f.options, index=f.options.index(f.default), format_func=choice_label, **common)
    if f.kind == "multi":
        return st.multiselect(label, f.options, default=list(f.default), format_func=choice_label, **common)
    if f.kind == "date":
        return st.date_input(label, f.default, **common)
    widget = st.text_area if f.kind == "textarea" else st.text_input
    return widget(label, f.default or "", max_chars=f.max_chars, **common)


def guided_form(doc_type: str) -> dict:
    """The answers as typed, not yet validated (parse_request does that, with clear messages)."""
    answers = {"doc_type": doc_type}
    form_steps = steps(doc_type)
    for tab, step in zip(st.tabs([f"{i}. {s.title}" for i, s in enumerate(form_steps, 1)]), form_steps):
        with tab:
            for f in step.fields:
                answers[f.name] = _widget(doc_type, f)
    return answers
