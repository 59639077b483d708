"""The child's journey: data core for the dashboard.

Plain Python over DuckDB. Nothing in this package imports Streamlit: the pages, the command
line and the tests all call the same functions.
"""

from journey.errors import JourneyError, StoreError

__all__ = ["JourneyError", "StoreError"]
