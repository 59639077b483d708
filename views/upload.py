"""Upload data: check spreadsheets, preview what they change, import, and undo."""

import hashlib

import pandas as pd
import streamlit as st

from journey.areas import la_labels
from journey.build import load_default_figures
from journey.errors import JourneyError
from journey.figures import import_effect, import_history, observation_count
from journey.importing.formats import FORMATS, Options
from journey.importing.limits import MAX_FILE_BYTES, MB, limits_text
from journey.importing.plan import commit, prepare, undo
from journey.importing.problems import problems_frame
from journey.importing.template import template_bytes
from journey.periods import period_label
from journey.registry import normalise_label, registry
from ui import data
from ui.downloads import download_row
from ui.tables import shown as arrow
from ui.text import literal

HISTORY_HEADINGS = {
    "id": "Import",
    "kind": "Kind",
    "label": "Label",
    "file_name": "File",
    "created_at": "When",
    "rows_added": "Figures added",
    "rows_replaced": "Figures replaced",
    "status": "Status",
}


def _figures(n: int) -> str:
    return f"the {n:,} figure{'' if n == 1 else 's'}"


s = data.store()
reg = registry()
st.title("Upload data")
st.caption(
    "DfE statistics CSVs and 'Download all data' ZIPs, LAIT downloads (.csv, .xlsx or .parquet), Ofsted's inspection "
    "outcomes (.ods), your monthly scorecard, board-report tables or the dashboard's template. Files are checked and previewed first; nothing changes until you confirm, and any "
    "import can be undone."
)

if observation_count(s) == 0:
    st.info(
        "**The store has no figures yet.** Upload files below, or load the default dataset: published figures for "
        "Worcestershire, Herefordshire, their statistical neighbours, the West Midlands and England, 2008-2025."
    )
    if st.button("Load the default dataset", type="primary", key="load_default"):
        try:
            with st.spinner("Loading published figures..."):
                load_default_figures(s, force=True)
        except JourneyError as exc:
            st.error(literal(str(exc)))
        else:
            st.rerun()

st.download_button(
    "Download the template (.xlsx)",
    data=lambda: template_bytes(s),
    file_name="journey_upload_template.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="template",
    icon=":material/download:",
)

# Streamlit counts the widget's limit in MiB: it shows "15MB per file", and a file a little over the
# importer's 15,000,000 bytes still reaches the importer, which says so in a sentence.
files = st.file_uploader(
    "Files",
    type=["csv", "xlsx", "xlsm", "ods", "zip", "parquet", "tsv", "txt"],
    accept_multiple_files=True,
    key="files",
    help=limits_text(),
    max_upload_size=MAX_FILE_BYTES // MB,
)
st.caption(f"Limits: {limits_text()}")
labels = la_labels(s)
with st.expander("Options", expanded=False):
    c1, c2 = st.columns(2)
    fmt = c1.selectbox("Format", list(FORMATS), format_func=FORMATS.get, key="up_format")
    area = c2.selectbox(
        "Local authority of a scorecard (if the file does not say)",
        [None, *labels],
        format_func=lambda k: "From the file" if k is None else labels[k],
        key="up_area",
    )
    measure = c1.selectbox(
        "Measure of a board-report table (if its title does not say)",
        [None, *reg.ids()],
        format_func=lambda k: "From the title" if k is None else reg.get(k).label,
        key="up_measure",
    )
    label = c2.text_input(
        "Label for this import (shown in the history and as the source of local figures)", key="up_label", max_chars=120
    )
    vintage = c1.text_input(
        "Vintage of the figures (YYYY or YYYY-MM; blank = worked out from the file)", key="up_vintage", max_chars=7
    )

# Row labels the importer did not recognise, mapped by the user (remembered after the import).
mappings = {}
for text, suggestions in st.session_state.get("unmapped", {}).items():
    options = ["", "skip", *suggestions, *[m for m in reg.ids() if m not in suggestions]]
    choice = st.selectbox(
        f"Which measure is the row \u201c{literal(text)}\u201d?",
        options,
        key="map_" + hashlib.md5(text.encode()).hexdigest(),
        format_func=lambda k: "Choose..." if k == "" else ("Skip this row" if k == "skip" else reg.get(k).label),
    )
    if choice:
        mappings[normalise_label(text)] = choice

signature = hashlib.sha256(
    b"".join(f.getvalue() for f in files or []) + repr((fmt, area, measure, label, vintage, mappings)).encode()
).hexdigest()
if files and st.button("Check files", type="primary", key="check"):
    bar = st.progress(0.0, text="Reading files")
    try:
        plan = prepare(
            s,
            [(f.name, f.getvalue()) for f in files],
            Options(format=fmt, area=area, label=label or None, vintage=vintage or None, measure=measure, mappings=mappings),
            progress=lambda x, text: bar.progress(min(x, 1.0), text=text),
        )
    except JourneyError as exc:
        st.error(literal(str(exc)))
        plan = None
    bar.empty()
    st.session_state["plan"], st.session_state["plan_signature"] = plan, signature
    # Keep every label the user has been asked about, so their choices stay on screen.
    st.session_state["unmapped"] = {**st.session_state.get("unmapped", {}), **(plan.unmapped if plan else {})}
    if plan and plan.unmapped and any(normalise_label(k) not in mappings for k in plan.unmapped):
        st.rerun()

plan = st.session_state.get("plan")
if plan is not None and files and st.session_state.get("plan_signature") == signature:
    errors, warnings = plan.problems.errors, plan.problems.warnings
    # Notes say what each file holds that the dashboard did not read (columns, breakdowns, rows);
    # they are neither errors nor warnings, and are listed apart from them.
    notes = [p for p in plan.problems.items if p.level == "note"]
    problems = [p for p in plan.problems.items if p.level != "note"]
    for f in plan.files:
        kinds = ", ".join((f"{sheet}: " if sheet else "") + FORMATS[k] for sheet, k in f["sheets"]) or "nothing read"
        st.markdown(f"**{literal(f['name'])}** read as {literal(kinds)}")
    if errors:
        st.error(f"**{len(errors)} problem(s) must be fixed before anything is imported.** Nothing has been written.")
    if problems:
        st.dataframe(problems_frame(problems), hide_index=True, width="stretch")
    if notes:
        with st.container(border=True, key="not_read"):
            st.markdown("**What was not read**")
            for p in notes:
                st.markdown("- " + literal(f"{p.file}{', sheet ' + p.sheet if p.sheet else ''}: {p.message}"))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("New figures", f"{len(plan.add):,}")
    c2.metric("Replacing figures", f"{len(plan.replace):,}")
    c3.metric("Already in the store", f"{plan.unchanged:,}")
    c4.metric("Rows skipped", f"{len(plan.skipped):,}")
    tabs = st.tabs(["New", "Replacing", "Skipped", "Targets and neighbours"])
    with tabs[0]:
        new = plan.add.head(2000)
        st.dataframe(
            pd.DataFrame(
                {
                    "area": new["area_name"],
                    "measure": new["measure"].map(lambda k: reg.get(k).label),
                    "period": [period_label(a, b) for a, b in zip(new["period_start"], new["period_end"])],
                    "value": reg.format_values(new["measure"], new["value"], new["symbol"]),
                    "shown now": [
                        text if pd.notna(v) or isinstance(sy, str) else ""
                        for text, v, sy in zip(
                            reg.format_values(new["measure"], new["shown_value"], new["shown_symbol"]),
                            new["shown_value"],
                            new["shown_symbol"],
                        )
                    ],
                    "source": new["source"],
                    "file": new["file"],
                    "row": new["row"],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    with tabs[1]:
        rep = plan.replace
        st.dataframe(
            pd.DataFrame(
                {
                    "area": rep["area_name"],
                    "measure": rep["measure"].map(lambda k: reg.get(k).label),
                    "period": [period_label(a, b) for a, b in zip(rep["period_start"], rep["period_end"])],
                    "old value": reg.format_values(rep["measure"], rep["old_value"], rep["old_symbol"]),
                    "new value": reg.format_values(rep["measure"], rep["value"], rep["symbol"]),
                    "source": rep["source"],
                    "row": rep["row"],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    with tabs[2]:
        st.dataframe(plan.skipped, hide_index=True, width="stretch")
    with tabs[3]:
        if not plan.targets.empty:
            st.dataframe(plan.targets, hide_index=True, width="stretch")
        if not plan.sn_rows.empty:
            st.write(f"Statistical neighbours for {plan.sn_rows['old_la_code'].nunique()} LAs will replace the model in force.")
    if plan.already_imported:
        st.info(f"These files were already imported (import {plan.already_imported[0]}): nothing to do.")
    elif plan.ok and plan.has_changes:
        acknowledged = True
        if plan.needs_acknowledgement:
            st.warning(
                f"**{plan.attention_count:,} figure(s) look implausible**: a figure far from the one it replaces or "
                "from the one shown now, a count with a fraction, percentages typed as fractions. Check them in "
                "the file before importing."
            )
            st.dataframe(plan.attention_frame(), hide_index=True, width="stretch")
            acknowledged = st.checkbox(
                f"I have checked these {plan.attention_count:,} figure(s) and they are right", key="acknowledge"
            )
        n = len(plan.add) + len(plan.replace)
        if st.button(f"Import {n:,} figure{'' if n == 1 else 's'}", type="primary", key="confirm", disabled=not acknowledged):
            try:
                import_id = commit(s, plan, label or None, acknowledged=acknowledged)
            except JourneyError as exc:
                st.error(literal(str(exc)))
            else:
                st.session_state.pop("plan", None)
                st.session_state.pop("undo_confirm", None)
                st.session_state["unmapped"] = {}
                st.session_state["message"] = f"Imported as import {import_id}. It is the first in the undo box below."
                st.rerun()
    elif plan.ok:
        st.info("Nothing new: every figure in these files is already in the store.")

if st.session_state.get("message"):
    st.success(st.session_state.pop("message"))

st.subheader("Import history")
history = import_history(s)
if history.empty:
    st.write("No imports yet.")
else:

    def shown_history():
        return history.drop(columns=["details"]).rename(columns=HISTORY_HEADINGS)

    st.dataframe(arrow(s, "import_history", shown_history), hide_index=True, width="stretch")
    download_row("import_history", key="history", title="Import history", data=shown_history)
    undoable = [
        int(i) for i, k, st_ in zip(history["id"], history["kind"], history["status"]) if st_ == "committed" and k != "default"
    ]
    if undoable:
        about = {
            int(i): f"import {int(i)}: {label} ({when:%d %b %Y %H:%M})"
            for i, label, when in zip(history["id"], history["label"], pd.to_datetime(history["created_at"]))
        }
        # The latest import is offered first; the choice is keyed on the store version, so after an
        # import or undo the box shows the newest import again, never a stale earlier choice.
        chosen = st.selectbox(
            "Undo an import (the latest is first)", undoable, key=f"undo_id_{s.data_version}", format_func=about.get
        )
        if st.session_state.get("undo_confirm") != (chosen, s.data_version):
            if st.button(f"Undo import {chosen}...", key="undo"):
                st.session_state["undo_confirm"] = (chosen, s.data_version)
                st.rerun()
        else:
            added, restored, other = import_effect(s, chosen)
            st.warning(
                f"Undo {literal(about[chosen])}? This removes {_figures(added)} it added"
                + (f" and {other:,} targets or neighbour rows" if other else "")
                + (f", and brings back {_figures(restored)} it replaced." if restored else ".")
                + " The history keeps a record of the import and of its undo."
            )
            y, n = st.columns([1, 3])
            if y.button(f"Yes, undo import {chosen}", type="primary", key="undo_yes"):
                st.session_state.pop("undo_confirm", None)
                try:
                    undo(s, chosen)
                except JourneyError as exc:
                    st.error(literal(str(exc)))
                else:
                    st.session_state["message"] = f"Import {chosen} undone; the figures it replaced are back."
                    st.rerun()
            if n.button("Cancel", key="undo_no"):
                st.session_state.pop("undo_confirm", None)
                st.rerun()
st.caption("To rebuild the store from the project's data files: `python -m journey build`.")
