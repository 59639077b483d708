"""Streamlit glue shared by the pages: the cached store, the sidebar selection, small widgets.

Domain logic lives in ``journey``; this package only reads widgets and draws.
"""
