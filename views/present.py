"""Presentation mode (``?present=1``): the board set, one indicator per screen, for a projector.

Large type, thick lines, no sidebar or Streamlit chrome. Left/Right arrow keys (or the
buttons) step through the slides; the slide number is kept in the URL (``slide=3``).
"""

import streamlit as st

from journey import boards
from journey.boardpack import RAG_TEXT
from journey.slides import build_slide, slide_chart, slide_table
from ui import charts, data
from ui.state import current, leave_presentation
from ui.text import literal

# Our own fixed style sheet (no user text in it): hide Streamlit's header and toolbar, use
# the whole screen, and make the type readable from the back of a room.
st.html("""<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 0.6rem 1.6rem 1rem 1.6rem !important; max-width: 100% !important; }
[data-testid="stMain"] h1 { font-size: 2.3rem !important; line-height: 1.15 !important; padding: 0.1rem 0 0.3rem 0 !important; color: #000; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p { font-size: 1.35rem; line-height: 1.35; color: #000; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.1rem; color: #333; }
[data-testid="stMain"] button p { font-size: 1.2rem; }
</style>""")

# The chart's whole height in pixels (plot, axes and legend): with the bar and title above it, it
# fits a 1024x768 projector and a 1280x720 screen without scrolling.
CHART_HEIGHT = 440

s = data.store()
data.require_data(s)
sel = current()
set_name = st.query_params.get("set")
board = boards.set_for(s, sel.la, set_name, sel.year_to)
total = len(board.items)
if total == 0:
    st.error("This board set has no indicators. Add some on the Board set & pack page.")
    st.stop()

if "slide" not in st.session_state:
    try:
        st.session_state.slide = min(max(int(st.query_params.get("slide", "1")), 1), total)
    except ValueError:
        st.session_state.slide = 1
number = min(max(st.session_state.slide, 1), total)


def go(to: int) -> None:
    st.session_state.slide = min(max(to, 1), total)


slide = build_slide(s, sel, board.items[number - 1])
bar = st.container(horizontal=True, vertical_alignment="center", gap="small")
bar.markdown(f"**{literal(slide.area.name)}** · {literal(board.name)} · {slide.measure.unit}", width="stretch")
bar.button(
    "Previous",
    key="prev",
    on_click=go,
    args=(number - 1,),
    disabled=number == 1,
    shortcut="Left",
    icon=":material/arrow_back:",
    help="Previous slide (Left arrow)",
)
bar.markdown(f"**Slide {number} of {total}**", width="content")
bar.button(
    "Next",
    key="next",
    on_click=go,
    args=(number + 1,),
    disabled=number == total,
    shortcut="Right",
    icon=":material/arrow_forward:",
    help="Next slide (Right arrow)",
    type="primary",
)
bar.button(
    "Exit", key="exit", on_click=leave_presentation, icon=":material/close:", help="Back to the dashboard (Esc)", shortcut="Esc"
)
st.query_params["slide"] = str(number)

st.title(slide.title)
if slide.age:
    # Said in words, large, above the chart: a board must not read an old figure as this year's.
    st.warning(slide.age, icon=":material/history:")
# The age warning takes a line: the chart gives it up, so the slide still fits the screen.
height = CHART_HEIGHT - (84 if slide.age else 0)
charts.show(
    lambda: slide_chart(slide, scale=1.35, height=height, legend_columns=2),
    ("slide", s.data_version, sel, slide.item.measure, height),
)
has_side = bool(slide.item.comment) or slide.item.target is not None
left, right = st.columns([3, 2], gap="large") if has_side else (st.container(), st.container())
with right:
    if slide.item.target is not None:
        status = RAG_TEXT.get(slide.rag or "", "Not rated")
        colour = {"green": "green", "amber": "orange", "red": "red"}.get(slide.rag or "", "gray")
        st.badge(f"{status} (target {slide.measure.format(slide.item.target)})", color=colour, icon=":material/flag:")
    if slide.item.comment:
        st.markdown(f"**Board comment.** {literal(slide.item.comment)}")
with left:
    st.markdown(" ".join(slide.takeaway))
if set_name and board.set_id is None:
    st.caption(f"There is no saved board set called '{literal(set_name)}': showing the built-in headline indicators.")
with st.expander("Figures as a table"):
    st.caption(slide.description)
    st.dataframe(slide_table(slide), width="stretch")
