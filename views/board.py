"""Board set & pack: choose and order the indicators for the meeting, set local targets and
comments, start presentation mode, and build the PDF board pack."""

import uuid

import streamlit as st

from journey import boards
from journey.boardpack import build_pack
from journey.errors import JourneyError
from journey.registry import registry
from ui.downloads import file_stem
from ui.pickers import measure_picker
from ui.state import data_page, presentation_link
from ui.text import literal

s, sel, la = data_page()
reg = registry()
st.title("Board set & pack")
st.caption(
    "A board set is the list of indicators a board reads at its meeting, in order. Each can carry a local target "
    "and tolerance (RAG is shown only where there is a target) and a comment printed under its slide and in the pack. "
    f"Sets are saved in the dashboard's database; every save can be undone. The slides use {la.name} and the "
    "comparators chosen in the sidebar."
)

DEFAULT_OPTION = f"{boards.DEFAULT_NAME} (built in)"
names = boards.set_names(s)
options = names + ([DEFAULT_OPTION] if boards.DEFAULT_NAME not in names else [])
chosen = st.selectbox("Board set", options, key="board_set", bind="query-params")
saved = boards.load_set(s, chosen) if chosen in names else None
board = saved or boards.default_set(la.key, s, sel.year_to)

# The draft being edited lives in session state, keyed by the set and its saved version, so
# switching sets or saving starts a fresh draft. Widget keys use a stable id per row, so a row
# keeps its values when it moves up or down.
draft_key = f"draft::{board.name}::{board.set_id}"
if st.session_state.get("draft_key") != draft_key:
    st.session_state["draft_key"] = draft_key
    st.session_state["draft"] = [(uuid.uuid4().hex[:8], item) for item in board.items]
draft: list = st.session_state["draft"]


def move(i: int, step: int) -> None:
    j = i + step
    if 0 <= j < len(draft):
        draft[i], draft[j] = draft[j], draft[i]


def remove(i: int) -> None:
    draft.pop(i)


def add() -> None:
    chosen_id = st.session_state.get("add_measure")
    if chosen_id and chosen_id not in [item.measure for _, item in draft]:
        draft.append((uuid.uuid4().hex[:8], boards.BoardItem(chosen_id)))


def draft_items() -> list[boards.BoardItem]:
    """The draft as the widgets hold it now (a callback runs before the page reads its widgets)."""
    out = []
    for uid, item in draft:
        m = reg.get(item.measure)
        get = st.session_state.get
        out.append(
            boards.BoardItem(
                item.measure,
                get(f"target_{uid}", item.target) if m.judged else None,
                get(f"tol_{uid}", item.tolerance) if m.judged else None,
                get(f"comment_{uid}", item.comment) or "",
            )
        )
    return out


st.subheader("Indicators, in the order the board reads them")
for i, (uid, item) in enumerate(draft):
    m = reg.get(item.measure)
    with st.container(border=True):
        head = st.container(horizontal=True, vertical_alignment="center")
        head.markdown(
            f"**{i + 1}. {m.label}**  \n{m.stage_label} · {m.unit} · "
            + {"high": "higher is better", "low": "lower is better", "neutral": "neutral (no RAG)"}[m.polarity],
            width="stretch",
        )
        head.button("Up", key=f"up_{uid}", on_click=move, args=(i, -1), disabled=i == 0, icon=":material/arrow_upward:")
        head.button(
            "Down", key=f"down_{uid}", on_click=move, args=(i, 1), disabled=i == len(draft) - 1, icon=":material/arrow_downward:"
        )
        head.button("Remove", key=f"rm_{uid}", on_click=remove, args=(i,), icon=":material/delete:")
        c1, c2, c3 = st.columns([1, 1, 4])
        unit = "percentage points" if m.is_percent else m.unit
        c1.number_input(
            f"Target ({m.unit})",
            value=item.target,
            key=f"target_{uid}",
            format=f"%.{m.decimals}f",
            disabled=not m.judged,
            help="Leave empty for no target. Neutral measures have no good direction, so they take no target.",
        )
        c2.number_input(
            f"Tolerance ({unit})",
            value=item.tolerance,
            min_value=0.0,
            key=f"tol_{uid}",
            format=f"%.{m.decimals}f",
            disabled=not m.judged,
            help="Amber when the figure misses the target by no more than this.",
        )
        c3.text_area(
            "Comment for the slide and the pack",
            value=item.comment,
            key=f"comment_{uid}",
            max_chars=boards.MAX_COMMENT,
            height=80,
        )

items = draft_items()
in_set = {item.measure for item in items}
# Judgements (Ofsted grades) are not charted as a series, so they are not slides.
addable = [m for m in reg if m.id not in in_set and m.id != "population_0_17" and not m.is_judgement]
a0, a1, a2 = st.columns([2, 3, 1], vertical_alignment="bottom")
measure_picker(
    addable,
    key="add_measure",
    stage_key="add_stage",
    label="Add an indicator",
    default=None,
    placeholder="Choose an indicator to add",
    bind=False,
    slots=(a0, a1),
)
a2.button("Add", on_click=add, icon=":material/add:", disabled=len(draft) >= boards.MAX_ITEMS)

st.subheader("Save")
name_key = f"name::{draft_key}"
st.text_input(
    "Name of the set",
    value=board.name if saved else "",
    max_chars=boards.MAX_NAME,
    placeholder="for example: March 2026 partnership board",
    key=name_key,
)


def after_change(message: str, show: str | None) -> None:
    """Callback tail: say what happened, start a fresh draft, show the set (``show``)."""
    st.session_state["board_message"] = ("success", message)
    st.session_state.pop("draft_key", None)
    st.session_state["board_set"] = show if show else DEFAULT_OPTION


def save() -> None:
    typed = (st.session_state.get(name_key) or "").strip()
    try:
        boards.save_set(s, typed, la.key, draft_items())
    except JourneyError as exc:
        st.session_state["board_message"] = ("error", f"**The set was not saved.** {literal(str(exc))}")
    else:
        after_change(f"Saved '{literal(typed)}'.", typed)


def undo_named(target: str) -> None:
    boards.undo_last_change(s, target)
    st.session_state.pop("undo_target", None)
    after_change(f"Undid the last change to '{literal(target)}'.", target if boards.load_set(s, target) else None)


def delete() -> None:
    boards.delete_set(s, chosen)
    after_change(f"Deleted '{literal(chosen)}'. Press Undo last change to bring it back.", None)
    st.session_state["undo_target"] = chosen


# After a delete the set is gone from the list; keep its name so the delete can be undone.
undo_name = chosen if chosen in names else st.session_state.get("undo_target")
change = boards.last_change(s, undo_name) if undo_name else None
b1, b2, b3 = st.columns(3)
b1.button("Save board set", type="primary", icon=":material/save:", on_click=save)
b2.button(
    "Undo last change",
    icon=":material/undo:",
    disabled=change is None,
    on_click=undo_named,
    args=(undo_name,),
    help="Put back the set as it was before its last save or delete.",
)
b3.button("Delete set", icon=":material/delete:", disabled=saved is None, on_click=delete)
if message := st.session_state.pop("board_message", None):
    (st.success if message[0] == "success" else st.error)(message[1])
problems = boards.check_items(items)
if problems:
    st.warning("Before saving: " + literal(" ".join(problems)))

st.subheader("Present")
st.markdown(
    "Opens the set full screen in a new tab: one indicator per screen, large type, no sidebar. "
    "Step with the **Left** and **Right** arrow keys; **Esc** leaves. Saved changes only."
)
st.link_button(
    "Start presentation", presentation_link(saved.name if saved else None), icon=":material/slideshow:", type="primary"
)

st.subheader("Board pack")
st.markdown(
    "A PDF of the saved set: a cover with contents and data vintages, then one page per indicator with its "
    "chart, table, takeaway, comment, definition and sources."
)
pack_set = saved or boards.default_set(la.key, s, sel.year_to)
pack_key = (pack_set.name, pack_set.set_id, sel, s.data_version)
if st.button("Build the board pack (PDF)", icon=":material/picture_as_pdf:"):
    bar = st.progress(0.0, text="Starting")
    try:
        pdf = build_pack(s, sel, pack_set, progress=lambda f, text: bar.progress(min(f, 1.0), text=text))
    except JourneyError as exc:
        st.error(f"**The pack could not be built.** {literal(str(exc))}")
    else:
        st.session_state["pack"] = (pack_key, pdf)
if (ready := st.session_state.get("pack")) and ready[0] == pack_key:
    st.download_button(
        "Download the board pack",
        ready[1],
        file_name=f"{file_stem(la.name, pack_set.name)}.pdf",
        mime="application/pdf",
        key="pack_pdf",
        icon=":material/download:",
        type="primary",
        on_click="ignore",
    )
    st.caption(f"{len(pack_set.items) + 1} pages: a cover and {len(pack_set.items)} indicator pages.")
