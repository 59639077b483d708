"""Overview: a headline tile for each journey stage, latest year, with a sentence under each."""

import streamlit as st

from journey.areas import region_of
from journey.benchmarks import period_labels, value_years, year_lookup
from journey.config import ENGLAND
from journey.inspections import latest_inspection
from journey.narrative import age_note, comparator_status, headline_sentence
from journey.registry import registry
from journey.selection import la_trend, tidy_for_years
from ui import data
from ui.downloads import download_row, file_stem
from ui.state import data_page
from ui.text import literal

s, sel, la = data_page()

inspection = latest_inspection(s, la.key)
heading = st.container(horizontal=True, vertical_alignment="center", gap="medium")
heading.title(f"{la.name}: the child's journey", width="content")
if inspection is not None:
    # A category, never a number: Ofsted's words with the inspection date, in a neutral colour.
    heading.badge(inspection.text, icon=":material/verified:", color="gray", help=literal(inspection.source_line))
    st.caption(literal(f"{inspection.source_line}."))
st.caption(
    "Headline figure for each stage in the latest year up to "
    f"{sel.year_to or 'the latest'}; change on the year before; comparators as chosen in the sidebar. "
    "Rates, counts and shares of children's social care (CIN, CP, CLA) are shown without a good/bad colour: "
    "only measures where higher or lower is better are coloured."
)

DELTA_COLOURS = {"high": "normal", "low": "inverse", "neutral": "off"}

headlines = registry().headlines()
cols = st.columns(4)
latest_years: list[tuple[str, int]] = []
for i, m in enumerate(headlines):
    mine = la_trend(s, sel, m.id)
    with cols[i % 4].container(border=True, height="stretch"):
        st.caption(m.stage_label.upper())
        if not mine:
            st.markdown(f"**{m.label}**")
            st.metric("Latest", "No data")
            st.caption(
                f"No figure for {la.name} in the selected years."
                + (
                    " A local measure: DfE does not publish it; an LA's own figures can be uploaded."
                    if m.origin == "local"
                    else ""
                )
            )
            # England's figure is still worth reading when the LA has none.
            england_years = [y for y in value_years(s, m.id).get(ENGLAND, ()) if not sel.year_to or y <= sel.year_to]
            if england_years and "England" in sel.comparators:
                fig = year_lookup(s, m.id)[england_years[-1]][ENGLAND]
                st.markdown(f"England **{m.format(fig.value)}** ({period_labels(s, m.id)[england_years[-1]]})")
            continue
        year, period = mine[-1].year, mine[-1].period
        latest_years.append((m.id, year))
        b = data.cached_benchmark(s, la.key, m.id, year, sel.model)
        delta = None if b.change is None else f"{m.format_change(b.change)} on a year earlier"
        st.markdown(f"**{m.label}**")
        age = age_note(s, la, year, period, sel.year_to)
        if age:  # in full, not a badge: a badge cuts long text short on a narrow tile
            st.warning(age, icon=":material/history:")
        st.metric(
            period,
            m.format(b.value, b.symbol),
            delta,
            delta_color=DELTA_COLOURS[m.polarity],
            chart_data=[r.value for r in mine],
            chart_type="line",
            help=m.definition,
        )
        lines = []
        status = comparator_status(b, sn_stat=sel.sn_stat, comparators=sel.comparators)
        for c in status:
            if c.name == "statistical neighbours":
                coverage = "" if b.sn is None or b.sn.n in (0, b.sn.of) else f" of {b.sn.n} of {b.sn.of} neighbours"
                lines.append(
                    f"SN {sel.sn_stat}{coverage} **{m.format(c.value)}**"
                    if c.value is not None
                    else ("no SN figures" if b.sn is not None else "no SN list")
                )
            else:
                lines.append(f"{c.name} **{m.format(c.value)}**" if c.value is not None else f"no {c.name} figure")
        if m.origin == "local" and not any(c.value is not None for c in status):
            lines = ["a local measure: no England, region or neighbour figures"] if status else []
        if lines:
            st.markdown(" · ".join(lines))
        st.write(headline_sentence(b, sn_stat=sel.sn_stat, comparators=sel.comparators))

region = region_of(s, la)
download_row(
    file_stem(la.name, "headlines"),
    key="headlines",
    title=f"{la.name}: headline figure for each stage",
    data=lambda: tidy_for_years(s, latest_years, [la.key, ENGLAND] + ([region.key] if region else [])),
)
