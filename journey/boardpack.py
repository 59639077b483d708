"""The board pack: a PDF of a board set for the papers that go out before the meeting.

Page 1 is the cover (LA with its latest Ofsted judgement and inspection date, set, date
prepared, data vintages with the age of any old figure, contents with links); then one A4 page
per indicator: the age of its latest figure when it is old, the trend chart (with the XmR
average and limits), the takeaway (with what the comparators lack), the board's comment, a
table of the last six periods, target and RAG where the board set one, the definition and the
sources. Built with fpdf2 and the machine's fonts; charts are drawn by vl-convert, as the PNG
exports are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from journey.boards import BoardSet
from journey.errors import JourneyError
from journey.exports import chart_png
from journey.fonts import find_font
from journey.inspections import latest_inspection
from journey.selection import Selection, sn_series_name
from journey.slides import Slide, build_slide, slide_chart, slide_table, sources_line
from journey.store import Store

RAG_TEXT = {"green": "On target", "amber": "Within tolerance", "red": "Off target"}
# Fill colours for the RAG badge with black text on them (contrast 4.5:1 or more); the words
# say the status, so colour is never the only cue.
RAG_FILL = {"green": (120, 200, 140), "amber": (245, 190, 80), "red": (240, 140, 130)}
INK = (27, 27, 27)
MUTED = (80, 80, 80)
BOX = (235, 241, 248)
AGE_FILL = (253, 226, 160)  # behind black text (contrast over 4.5:1); the words say the age, not the colour


class _Pack:
    """fpdf2 document with the pack's fonts, header and footer."""

    def __init__(self, title: str):
        from fpdf import FPDF

        class Doc(FPDF):
            def footer(self) -> None:  # noqa: D401 - fpdf hook
                self.set_y(-12)
                self.set_font(self.family_name, size=8)
                self.set_text_color(*MUTED)
                self.cell(0, 6, f"{title}  ·  page {self.page_no()} of {{nb}}", align="C")

        doc = Doc(orientation="portrait", unit="mm", format="A4")
        regular, bold = find_font(False), find_font(True)
        if regular is None:
            raise JourneyError("No system font was found for the PDF (install fonts-liberation or fonts-dejavu-core).")
        doc.add_font("Sans", "", str(regular))
        doc.add_font("Sans", "B", str(bold or regular))
        doc.family_name = "Sans"  # type: ignore[attr-defined]
        doc.set_auto_page_break(True, margin=16)
        doc.set_margins(15, 14, 15)
        doc.alias_nb_pages()
        doc.set_title(title)
        doc.set_author("The child's journey dashboard")
        doc.set_lang("en-GB")
        self.doc = doc

    def text(self, size: float, bold: bool = False, colour: tuple[int, int, int] = INK) -> None:
        self.doc.set_font("Sans", "B" if bold else "", size)
        self.doc.set_text_color(*colour)

    def para(self, text: str, size: float = 10, *, bold: bool = False, colour=INK, h: float = 5.0) -> None:
        self.text(size, bold, colour)
        self.doc.multi_cell(0, h, text, new_x="LMARGIN", new_y="NEXT")


def build_pack(
    store: Store,
    sel: Selection,
    board: BoardSet,
    progress: Callable[[float, str], None] | None = None,
    *,
    prepared: dt.date | None = None,
) -> bytes:
    """The board pack PDF as bytes; ``progress(fraction, message)`` is called as pages are made."""
    from journey import areas as areas_mod

    la = areas_mod.get_area(store, sel.la)
    prepared = prepared or dt.date.today()
    title = f"{la.name}: {board.name}"
    total = max(len(board.items), 1)
    slides: list[Slide] = []
    for n, item in enumerate(board.items):
        if progress:  # reading is the first 30% of the work, drawing charts the rest
            progress(0.3 * n / total, f"Reading figures for indicator {n + 1} of {total}")
        slides.append(build_slide(store, sel, item))
    pack = _Pack(title)
    doc = pack.doc
    links = [doc.add_link(page=n + 2) for n in range(len(slides))]  # indicator n is on page n + 1
    _cover(store, pack, la.name, board.name, prepared, slides, links, sel)
    for n, slide in enumerate(slides):
        if progress:
            progress(0.3 + 0.7 * n / total, f"Drawing page {n + 2} of {total + 1}: {slide.title}")
        _page(pack, n + 1, slide)
    if progress:
        progress(1.0, "Board pack ready")
    return bytes(doc.output())


def _cover(
    store: Store, pack: _Pack, la: str, name: str, prepared: dt.date, slides: list[Slide], links: list, sel: Selection
) -> None:
    from journey import areas as areas_mod

    doc = pack.doc
    doc.add_page()
    doc.start_section("Cover")
    pack.para("Board pack", 14, colour=MUTED)
    pack.para(la, 26, bold=True, h=11)
    inspection = latest_inspection(store, areas_mod.get_area(store, sel.la).key)
    if inspection is not None:  # Ofsted's words and date beside the name: a category, never a number
        pack.para(inspection.text, 12, bold=True, h=6)
        pack.para(inspection.source_line, 8.5, colour=MUTED, h=4.3)
        doc.ln(1)
    pack.para(name, 16, h=8)
    pack.para(f"Prepared {prepared.day} {prepared:%B %Y} from the child's journey dashboard", 10, colour=MUTED)
    doc.ln(3)
    pack.para("Comparators", 11, bold=True)
    region = areas_mod.region_of(store, areas_mod.get_area(store, sel.la))
    names = {"England": "England", "Region": region.name if region else "Region"}
    comps = [names[c] for c in sel.comparators if c in names]
    if "Statistical neighbours" in sel.comparators:
        comps.append(sn_series_name(sel).lower())
    pack.para(", ".join(comps) or "none", 10)
    doc.ln(2)
    pack.para("Data vintages (latest release behind each indicator)", 11, bold=True)
    for s in slides:
        b = s.benchmark
        when = f"{s.latest_label}, release {b.vintage}" if b and b.vintage else "no figures"
        pack.para(f"{s.title}: {when}" + (f" ({s.age})" if s.age else ""), 9, bold=bool(s.age), h=4.6)
    doc.ln(3)
    pack.para("Contents", 13, bold=True, h=7)
    for n, (s, link) in enumerate(zip(slides, links), start=1):
        pack.text(10.5)
        label = f"{n}. {s.title}"
        doc.cell(160, 6.5, label, link=link)
        doc.cell(0, 6.5, str(n + 1), align="R", new_x="LMARGIN", new_y="NEXT", link=link)
    doc.ln(3)
    pack.para(
        "Reading the pack: each page shows the trend against England, the region and statistical neighbours, "
        "with the series average and process limits where there are 12 or more figures (ringed points are "
        "unusual). Symbols: c suppressed, x not available, z not applicable, u low reliability, – no figure. "
        "RAG ratings appear only where the board set a local target.",
        8.5,
        colour=MUTED,
        h=4.3,
    )


def _page(pack: _Pack, n: int, slide: Slide) -> None:
    doc = pack.doc
    doc.add_page()
    doc.start_section(f"{n}. {slide.title}")
    pack.para(f"{n}. {slide.title}", 16, bold=True, h=8)
    pack.para(f"{slide.area.name} · {slide.measure.stage_label} · {slide.measure.unit}", 9.5, colour=MUTED)
    if slide.age:  # an old figure says so before anything else on the page
        doc.ln(1)
        doc.set_fill_color(*AGE_FILL)
        pack.text(11, bold=True)
        doc.multi_cell(0, 6, slide.age, fill=True, new_x="LMARGIN", new_y="NEXT", padding=1.5)
    item = slide.item
    if item.target is not None:
        m = slide.measure
        tol = (
            f", tolerance {m.format_change(item.tolerance).lstrip('+').replace(' pts', ' percentage points')}"
            if item.tolerance
            else ""
        )
        status = RAG_TEXT.get(slide.rag or "", "Not rated (no figure, or a neutral measure)")
        doc.ln(1)
        if slide.rag:
            doc.set_fill_color(*RAG_FILL[slide.rag])
        pack.text(10, bold=True)
        doc.cell(
            0,
            7,
            f"  {status}: latest {m.format(slide.benchmark.value if slide.benchmark else None)} "
            f"against a target of {m.format(item.target)}{tol}",
            fill=bool(slide.rag),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    doc.ln(1)
    if any(v is not None and v == v for v in slide.columns["value"]):
        chart = slide_chart(slide, height=300)
        png = chart_png(chart, width=900, scale=2)
        doc.image(png, x=15, w=180, alt_text=slide.description[:1000])
    else:  # nothing to draw (vl-convert cannot draw an empty chart): said in words instead
        doc.ln(2)
        pack.para(
            f"No figures for {slide.area.name} or its comparators on this indicator in the selected years.", 12, bold=True, h=6
        )
    doc.ln(1)
    pack.para("What does this mean?", 11, bold=True)
    doc.set_fill_color(*BOX)
    pack.text(10)
    doc.multi_cell(0, 5, " ".join(slide.takeaway), fill=True, new_x="LMARGIN", new_y="NEXT", padding=2)
    if item.comment:
        doc.ln(1)
        pack.para("Board comment", 11, bold=True)
        pack.text(10)
        doc.multi_cell(0, 5, item.comment, border=1, new_x="LMARGIN", new_y="NEXT", padding=2)
    table = slide_table(slide)
    if not table.empty:
        doc.ln(2)
        pack.text(8.5)
        widths = (60, *([120 / len(table.columns)] * len(table.columns)))
        with doc.table(
            col_widths=widths, text_align=("LEFT", *["RIGHT"] * len(table.columns)), line_height=5, first_row_as_headings=True
        ) as grid:
            head = grid.row()
            for c in ["", *table.columns]:
                head.cell(str(c))
            for name, values in table.iterrows():
                row = grid.row()
                row.cell(str(name))
                for v in values:
                    row.cell(str(v))
    doc.ln(2)
    m = slide.measure
    pack.para(f"Definition. {m.definition} {m.reading}", 8.5, colour=MUTED, h=4.2)
    pack.para(f"Sources. {sources_line(slide)}", 8.5, colour=MUTED, h=4.2)
