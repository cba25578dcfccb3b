"""A local stand-in for the Comtrade v1 API that answers in its exact JSON shape."""

import json

from werkzeug import Request, Response

from pipelines.sources.comtrade import ROW_FIELDS

ISO = {392: ("JPN", "Japan"), 699: ("IND", "India"), 0: ("W00", "World")}


def comtrade_row(reporter: int, partner: int, flow: str, cmd: str, year: int, value: float) -> dict:
    """One annual HS row with all 47 fields, typed as the API types them."""
    row = dict.fromkeys(ROW_FIELDS)
    row.update(
        typeCode="C", freqCode="A", refPeriodId=int(f"{year}0101"), refYear=year, refMonth=52,
        period=str(year), reporterCode=reporter, reporterISO=ISO[reporter][0],
        reporterDesc=ISO[reporter][1], flowCode=flow, flowDesc="Import" if flow == "M" else "Export",
        partnerCode=partner, partnerISO=ISO[partner][0], partnerDesc=ISO[partner][1],
        partner2Code=0, partner2ISO="W00", partner2Desc="World", classificationCode="H6",
        classificationSearchCode="HS", isOriginalClassification=True, cmdCode=cmd,
        cmdDesc=f"HS {cmd}", aggrLevel=6, isLeaf=True, customsCode="C00", customsDesc="TOTAL CPC",
        mosCode="0", motCode=0, motDesc="TOTAL MOT", qtyUnitCode=-1, qtyUnitAbbr="N/A", qty=None,
        isQtyEstimated=False, altQtyUnitCode=-1, altQtyUnitAbbr="N/A", altQty=None,
        isAltQtyEstimated=False, netWgt=1000.0, isNetWgtEstimated=False, grossWgt=None,
        isGrossWgtEstimated=False, cifvalue=value if flow == "M" else None,
        fobvalue=value if flow == "X" else None, primaryValue=value, legacyEstimationFlag=0,
        isReported=True, isAggregate=False,
    )  # fmt: skip
    return row


def envelope(rows: list[dict]) -> bytes:
    return json.dumps(
        {"elapsedTime": "0.12 secs", "count": len(rows), "data": rows, "error": ""}
    ).encode()


def answer_from_query(request: Request, rows_per_key: int = 1, cap: int | None = None) -> Response:
    """Rows for every requested code, partner and flow, truncated at `cap` as the API does."""
    args = request.args
    rows = [
        comtrade_row(int(args["reporterCode"]), int(p), f, c, int(args["period"]), 1000.0 + i)
        for c in args["cmdCode"].split(",")
        for p in args["partnerCode"].split(",")
        for f in args["flowCode"].split(",")
        for i in range(rows_per_key)
    ]
    if cap is not None:
        rows = rows[:cap]
    return Response(envelope(rows), content_type="application/json")
