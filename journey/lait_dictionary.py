"""DfE LAIT's data dictionary, and the registry rows it gives for children's social care.

LAIT publishes one dictionary row per indicator (``Measure_short`` is the code its data uses in
``Short Desc``) with a topic, polarity, decimal places (``dps``), year type, a no-quartile flag,
a definition, methodology and the month it was last updated. ``refresh-default`` reads it and
brings ``data/measures.csv`` up to date with :func:`sync_registry`: indicators the registry
already holds (matched by ``lait_code``) get LAIT's year type, flag, methodology and update
month; the children's social care indicators it does not hold are added with an id, stage,
kind and unit worked out here. Hand-written labels, phrases, aliases, polarity and decimals of
the registry's own measures are kept: the domain rules in ``../shared/domain.md`` (CIN, CP and
CLA rates are neutral; CLA rates whole numbers) come first where LAIT differs.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

from journey.errors import JourneyError

#: LAIT topics that are children's social care (the dashboard's scope).
CSC_TOPICS = ("Children in Need", "Child Protection", "Children Looked After", "Adoption", "Children's Services Workforce")

#: The columns that make a CSV LAIT's data dictionary.
DICTIONARY_COLUMNS = {"Measure_short", "Topic", "Polarity", "dps", "Year_Type", "No_Quartile"}

#: The registry's columns, in file order.
REGISTRY_COLUMNS = [
    "measure", "label", "stage", "unit", "kind", "polarity", "decimals", "rate_of", "definition",
    "dfe_file_and_column", "origin", "phrase", "headline", "timing", "aliases",
    "topic", "lait_code", "year_type", "no_quartile", "methodology", "updated",
]  # fmt: skip

YEAR_TYPES = {
    "Financial Year": "financial_year",
    "Annual": "at_31_march",
    "Annual (end of Sept)": "at_30_september",
    "Academic Year": "academic_year",
}

#: LAIT's default precision where its dictionary gives no ``dps`` (LAIT shows such figures to
#: one decimal place).
DEFAULT_DECIMALS = 1

_EXCEL_EPOCH = dt.date(1899, 12, 30)


def is_dictionary(columns: Iterable[str]) -> bool:
    """True when a table's headings are those of LAIT's data dictionary."""
    return DICTIONARY_COLUMNS <= {str(c).strip() for c in columns}


def read_dictionary(path: Path) -> list[dict[str, str]]:
    """The dictionary's rows as text (BOM and surrounding spaces removed)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(f)]
    if not rows or not is_dictionary(rows[0]):
        raise JourneyError(f"{path.name}: not LAIT's data dictionary (no {', '.join(sorted(DICTIONARY_COLUMNS))} columns)")
    return rows


def updated_month(raw: str, fallback: str) -> str:
    """LAIT's "Last Update" (an Excel day number such as ``45931``) as ``YYYY-MM``; ``fallback``
    for text such as "New data"."""
    if re.fullmatch(r"\d{5}(\.0+)?", raw):
        day = _EXCEL_EPOCH + dt.timedelta(days=int(float(raw)))
        return f"{day.year:04d}-{day.month:02d}"
    return fallback


def measure_id(code: str) -> str:
    """A registry id for a LAIT code: lower case, ``%`` as ``pct``, other marks as ``_``
    (``CINTime3-6`` -> ``cintime3_6``, ``%_of LAC Adopted`` -> ``pct_of_lac_adopted``)."""
    text = code.strip().lower().replace("%", "pct").replace(",", "").replace("10000", "10k")
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return text if not text[:1].isdigit() else f"n{text}"


def _kind_and_unit(row: dict[str, str]) -> tuple[str, str]:
    title = row.get("Chart_title", "") + " " + row.get("Measure", "")
    axis = row.get("y_axis_name", "")
    low = (title + " " + axis).lower()
    if "per 10,000" in low or axis.lower().startswith("rate per 10"):
        return "rate", "per 10k children 0-17"
    if "%" in title or axis.startswith("%") or "percent" in low:
        return "percent", "%"
    if re.search(r"\bfte\b", low):
        return "number", "FTE"
    if "score" in low or "case load" in low or "average" in low:
        return "number", axis.lower() or "score"
    if re.search(r"\(num\)|\bnumber\b|- number|\(number\)", low):
        unit = re.sub(r"^number( of)?\s*", "", axis, flags=re.I).strip().lower() or "number"
        return "count", unit
    return "number", axis.lower() or "number"


def _stage(row: dict[str, str]) -> str:
    code, topic = row["Measure_short"], row["Topic"]
    if topic == "Children's Services Workforce":
        return "workforce"
    if topic == "Child Protection":
        if re.match(r"(CPP_Total|CIN_Refferals|Referrals_|RefBySource|ReReferral)", code):
            return "front_door"
        if code == "Continue_Assess_Comp":
            return "assessment"
        if re.match(r"(Section_47|CP_conf|ISCP|\d+_ICPC)", code):
            return "child_protection_enquiry"
        if code == "CareApplications":
            return "looked_after"
        return "child_protection"
    if topic == "Children in Need":
        return "children_in_need"
    if re.search(r"CareLeaver|LAC_19_HE|StayingPut", code):
        return "care_leavers"
    return "looked_after"


def _topic(row: dict[str, str]) -> str:
    """LAIT's topic; education outcomes (academic-year figures) grouped apart."""
    if row.get("Year_Type") == "Academic Year":
        return {
            "Children in Need": "Education of children in need",
            "Children Looked After": "Education of children looked after",
        }.get(row["Topic"], row["Topic"])
    if row["Topic"] == "Children Looked After" and _stage(row) == "care_leavers":
        return "Care leavers"
    return row["Topic"]


def _polarity(raw: str) -> str:
    return {"high": "high", "low": "low"}.get(raw.strip().lower(), "neutral")


def _decimals(raw: str, kind: str) -> int:
    if re.fullmatch(r"\d+(\.0+)?", raw):
        return int(float(raw))
    return 0 if kind == "count" else DEFAULT_DECIMALS


def _label(row: dict[str, str]) -> str:
    text = row.get("Chart_title") or row.get("Measure") or row["Measure_short"]
    text = re.sub(r"\s*\((%|num|number|rate)\)\s*$", "", text, flags=re.I)
    text = re.sub(r"\s*-\s*(rate|number)$", "", text, flags=re.I)
    return " ".join(text.split())


def _lait_fields(row: dict[str, str], release: str) -> dict[str, str]:
    return {
        "topic": _topic(row),
        "lait_code": row["Measure_short"],
        "year_type": YEAR_TYPES.get(row.get("Year_Type", ""), ""),
        "no_quartile": "yes" if row.get("No_Quartile", "").upper() == "N" else "",
        "methodology": " ".join(row.get("Methodology", "").split()),
        "updated": updated_month(row.get("Last Update", ""), release),
    }


def new_measure(row: dict[str, str], release: str) -> dict[str, str]:
    """A registry row for a LAIT indicator the registry does not hold."""
    kind, unit = _kind_and_unit(row)
    year_type = YEAR_TYPES.get(row.get("Year_Type", ""), "")
    aliases = [a for a in dict.fromkeys([row.get("Measure", ""), row.get("Chart_title", "")]) if a and a != _label(row)]
    return {
        "measure": measure_id(row["Measure_short"]),
        "label": _label(row),
        "stage": _stage(row),
        "unit": unit,
        "kind": kind,
        "polarity": _polarity(row.get("Polarity", "")),
        "decimals": str(_decimals(row.get("dps", ""), kind)),
        "rate_of": "",
        "definition": " ".join(row.get("Description", "").split()),
        "dfe_file_and_column": f"LAIT {row['Measure_short']}",
        "origin": "national",
        "phrase": "",
        "headline": "",
        "timing": "at period end" if year_type in ("at_31_march", "at_30_september") else "over the period",
        "aliases": "|".join(" ".join(a.split()) for a in aliases),
        **_lait_fields(row, release),
    }


def release_month(rows: list[dict[str, str]]) -> str:
    """The dictionary's release: the latest "Last Update" month it gives."""
    months = [updated_month(r.get("Last Update", ""), "") for r in rows]
    months = [m for m in months if m]
    if not months:
        raise JourneyError("LAIT's data dictionary gives no Last Update month")
    return max(months)


def sync_registry(current: list[dict[str, str]], dictionary: list[dict[str, str]]) -> tuple[list[dict[str, str]], dict[str, int]]:
    """The registry rows after bringing them up to date with LAIT's dictionary, and counts of
    what changed (``updated``, ``added``). Rows keep their order; new measures follow the
    registry's own, in the dictionary's order."""
    release = release_month(dictionary)
    scope = [r for r in dictionary if r.get("Topic") in CSC_TOPICS and r.get("Measure_short")]
    by_code = {r["Measure_short"]: r for r in scope}
    out, seen_codes, counts = [], set(), {"updated": 0, "added": 0}
    for row in current:
        row = {c: row.get(c, "") for c in REGISTRY_COLUMNS}
        code = row["lait_code"]
        if code and code in by_code:
            fields = _lait_fields(by_code[code], release)
            if row["topic"] and row["topic"] != fields["topic"]:
                fields["topic"] = row["topic"]  # a topic chosen by hand stays
            if any(row[k] != v for k, v in fields.items()):
                counts["updated"] += 1
            row.update(fields)
            seen_codes.add(code)
        out.append(row)
    ids = {r["measure"] for r in out}
    for code, src in by_code.items():
        if code in seen_codes:
            continue
        row = new_measure(src, release)
        while row["measure"] in ids:
            row["measure"] += "_lait"
        ids.add(row["measure"])
        out.append(row)
        counts["added"] += 1
    return out, counts


def write_registry(path: Path, rows: list[dict[str, str]]) -> None:
    """Write the registry file (every column quoted only where needed, LF line ends)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=REGISTRY_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
