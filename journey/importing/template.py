"""The upload template: a tidy sheet any system can fill, with instructions, the measure list
and the area codes, as a formatted .xlsx."""

from __future__ import annotations

from journey.exports import workbook_bytes
from journey.registry import STAGES, registry
from journey.store import Store

INSTRUCTIONS = [
    "How to fill in this template",
    "One row per figure, on the Data sheet. Keep the column headings.",
    "area: a local authority name (Worcestershire), GSS code (E10000034) or old LA code (885); or England, or a region.",
    "measure: a measure id or label from the Measures sheet (for example cp_rate_per_10k).",
    "period: a reporting year (2024-25 or 2025 = year ending 31 March 2025), a month (Apr-24) or a quarter (Q1 2024-25).",
    "value: the figure. Percentages as 17.8 (or 17.8%). Leave blank and fill symbol for a suppressed figure.",
    "symbol (optional): c (suppressed), x (not available), z (not applicable), u (low reliability), n/a.",
    "source (optional): where the figure comes from. Blank = the upload's label or file name.",
    "notes (optional): anything the reader should know (provisional, definition differs ...).",
    "Counts at a point in time (children in need, on a plan, looked after) are read at the end of the period.",
    "Upload the file on the dashboard's Upload data page, or: python -m journey import FILE.xlsx",
]


def template_bytes(store: Store) -> bytes:
    """The template workbook: Instructions, Data (with two example rows), Measures, Areas."""
    reg = registry()
    measures = [
        (
            m.id,
            m.label,
            STAGES.get(m.stage, m.stage),
            m.unit,
            "at the end of the period" if m.snapshot else "over the period",
            m.polarity,
            m.decimals,
            "; ".join(m.aliases),
            m.definition,
        )
        for m in reg
        if m.id != "population_0_17"
    ]
    area_rows = store.query(
        """SELECT name, code, old_la_code, type FROM areas WHERE type != 'SN group'
           ORDER BY CASE type WHEN 'country' THEN 0 WHEN 'region' THEN 1 ELSE 2 END, name"""
    )
    return workbook_bytes(
        [
            ("Instructions", ["Read me"], [[line] for line in INSTRUCTIONS[1:]]),
            (
                "Data",
                ["area", "measure", "period", "value", "symbol", "source", "notes"],
                [
                    ["Worcestershire", "referrals", "Apr-25", 402, "", "", "example row: delete"],
                    ["Worcestershire", "cp_plans", "Apr-25", "", "c", "", "example of a suppressed figure: delete"],
                ],
            ),
            (
                "Measures",
                ["id", "label", "stage", "unit", "counted", "polarity", "decimals", "usual wordings", "definition"],
                measures,
            ),
            (
                "Areas",
                ["name", "GSS code", "old LA code", "type"],
                [[r.name, r.code, r.old_la_code or "", r.type] for r in area_rows.itertuples()],
            ),
        ],
        header_notes={"Instructions": [INSTRUCTIONS[0]]},
    )
