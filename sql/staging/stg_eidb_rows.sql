-- India's Export Import Data Bank figures, typed, with the problems that keep a row out of
-- `minerals_trade` (an empty list when none). Values come in US$ million rounded to two decimals,
-- so a published 0.00 means "under US$ 5,000", not "none": `below_rounding` keeps that apart.
WITH typed AS (
    SELECT
        *,
        regexp_extract(financial_year, '^FY([0-9]{4})-([0-9]{2})$', ['first', 'second']) AS fy,
        try_cast(nullif(value_usd_million, '') AS DECIMAL(18, 2)) AS value_million,
        try_cast(nullif(quantity_kg, '') AS DOUBLE) AS quantity,
        try_cast(nullif(world_usd_million, '') AS DECIMAL(18, 2)) AS world_million
    FROM raw_eidb
)
SELECT
    'eidb' AS origin,
    'data/snapshots/eidb/' || file AS source_file,
    line_no,
    file || ':' || line_no AS record_id,
    layout,
    try_cast(fy.first AS INTEGER) AS year,
    financial_year AS period,
    'financial_year' AS period_kind,
    make_date(try_cast(fy.first AS INTEGER), 4, 1) AS period_start,
    make_date(try_cast(fy.first AS INTEGER) + 1, 3, 31) AS period_end,
    reporter,
    partner,
    flow,
    hs_code,
    length(hs_code) AS hs_level,
    description,
    nullif(mineral_as_published, '') AS mineral_as_published,
    CAST(value_million AS DOUBLE) * 1e6 AS value_usd,
    CAST(value_million AS DOUBLE) AS value,
    'USD million' AS unit,
    value_million = 0 AS below_rounding,
    5000.0 AS rounding_usd,
    quantity,
    CASE WHEN quantity IS NOT NULL THEN 'kg' END AS quantity_unit,
    CAST(world_million AS DOUBLE) * 1e6 AS world_usd,
    'DGCI&S / Department of Commerce, Export Import Data Bank (tradestat.commerce.gov.in)' AS source,
    url AS source_url,
    list_filter([
        CASE WHEN fy.first IS NULL OR fy.first = ''
                  OR try_cast(fy.second AS INTEGER) <> (try_cast(fy.first AS INTEGER) + 1) % 100
             THEN {'column': 'financial_year', 'reason': 'not a financial year FYyyyy-yy'} END,
        CASE WHEN value_million IS NULL THEN {'column': 'value_usd_million', 'reason': 'not a number'}
             WHEN value_million < 0 THEN {'column': 'value_usd_million', 'reason': 'negative trade value'} END,
        CASE WHEN nullif(quantity_kg, '') IS NOT NULL AND (quantity IS NULL OR quantity < 0)
             THEN {'column': 'quantity_kg', 'reason': 'not a non-negative number'} END,
        CASE WHEN nullif(world_usd_million, '') IS NOT NULL AND (world_million IS NULL OR world_million < 0)
             THEN {'column': 'india_exports_to_world_usd_million', 'reason': 'not a non-negative number'} END,
        CASE WHEN reporter <> 'IND' THEN {'column': 'reporter', 'reason': 'EIDB figures are reported by India (IND)'} END,
        CASE WHEN partner <> 'JPN' THEN {'column': 'partner', 'reason': 'must be JPN'} END,
        CASE WHEN flow NOT IN ('import', 'export') THEN {'column': 'flow', 'reason': 'must be import or export'} END,
        CASE WHEN NOT regexp_full_match(hs_code, '[0-9]{4}([0-9]{1,2}|[0-9]{4})?')
             THEN {'column': 'hs_code', 'reason': 'not a 4- to 8-digit HS code'} END
    ], lambda p: p IS NOT NULL) AS problems
FROM typed
