"""contractgen: draft legal documents with an LLM, streamed live, resilient to faults.

The package never imports streamlit: the app's pages are thin views over it.
"""

__version__ = "0.1.0"
