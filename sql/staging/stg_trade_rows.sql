-- Every trade row, from Comtrade snapshots and from the register of published figures, typed and
-- with the problems that keep it out of `minerals_trade` (an empty list when none).
WITH comtrade AS (
    SELECT
        'comtrade' AS origin,
        'data/snapshots/comtrade' AS source_file,
        NULL::BIGINT AS line_no,
        snapshot_id AS record_id,
        refYear AS year,
        CAST(refYear AS VARCHAR) AS period,
        CASE reporterCode WHEN 392 THEN 'JPN' WHEN 699 THEN 'IND' END AS reporter,
        CASE partnerCode WHEN 392 THEN 'JPN' WHEN 699 THEN 'IND' WHEN 0 THEN 'WLD' END AS partner,
        CASE flowCode WHEN 'M' THEN 'import' WHEN 'X' THEN 'export' END AS flow,
        cmdCode AS hs_code,
        primaryValue AS value,
        'USD' AS unit,
        primaryValue AS value_usd,
        netWgt AS net_weight_kg,
        'UN Comtrade' AS source,
        NULL AS source_url,
        NULL AS mineral_as_published,
        false AS doubtful,
        [
            CASE WHEN primaryValue IS NULL THEN {'column': 'primaryValue', 'reason': 'missing'}
                 WHEN primaryValue < 0 THEN {'column': 'primaryValue', 'reason': 'negative trade value'} END,
            CASE WHEN reporterCode NOT IN (392, 699) THEN {'column': 'reporterCode', 'reason': 'not Japan (392) or India (699)'} END,
            CASE WHEN partnerCode NOT IN (392, 699, 0) THEN {'column': 'partnerCode', 'reason': 'not Japan, India or World'} END,
            CASE WHEN flowCode NOT IN ('M', 'X') THEN {'column': 'flowCode', 'reason': 'not M or X'} END,
            CASE WHEN netWgt < 0 THEN {'column': 'netWgt', 'reason': 'negative weight'} END
        ] AS checks
    FROM raw_comtrade
),
published AS (
    SELECT
        'published' AS origin,
        'data/registers/published_trade_figures.csv' AS source_file,
        row_number() OVER () + 1 AS line_no,
        figure_id AS record_id,
        try_cast(year AS INTEGER) AS year,
        period,
        reporter,
        partner,
        flow,
        nullif(hs_code, '') AS hs_code,
        try_cast(value AS DOUBLE) AS value,
        unit,
        try_cast(nullif(value_usd, '') AS DOUBLE) AS value_usd,
        NULL::DOUBLE AS net_weight_kg,
        'published: ' || coalesce(nullif(underlying_dataset, ''), 'dataset not stated') AS source,
        source_url,
        mineral AS mineral_as_published,
        -- The register marks a figure it doubts with a note starting 'DOUBT:'.
        starts_with(coalesce(note, ''), 'DOUBT') AS doubtful,
        [
            CASE WHEN try_cast(year AS INTEGER) IS NULL THEN {'column': 'year', 'reason': 'not a year'} END,
            CASE WHEN try_cast(value AS DOUBLE) IS NULL THEN {'column': 'value', 'reason': 'not a number'}
                 WHEN try_cast(value AS DOUBLE) < 0 OR isnan(try_cast(value AS DOUBLE))
                     THEN {'column': 'value', 'reason': 'negative or NaN value'} END,
            CASE WHEN nullif(value_usd, '') IS NOT NULL AND try_cast(value_usd AS DOUBLE) IS NULL
                     THEN {'column': 'value_usd', 'reason': 'not a number'}
                 WHEN try_cast(value_usd AS DOUBLE) < 0 THEN {'column': 'value_usd', 'reason': 'negative value'} END,
            CASE WHEN reporter NOT IN ('JPN', 'IND') THEN {'column': 'reporter', 'reason': 'must be JPN or IND'} END,
            CASE WHEN partner NOT IN ('JPN', 'IND', 'WLD') THEN {'column': 'partner', 'reason': 'must be JPN, IND or WLD'} END,
            CASE WHEN flow NOT IN ('import', 'export') THEN {'column': 'flow', 'reason': 'must be import or export'} END,
            CASE WHEN NOT regexp_full_match(coalesce(source_url, ''), 'https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}([/?#][^\s<>"]*)?')
                     THEN {'column': 'source_url', 'reason': 'not an https URL'} END,
            CASE WHEN nullif(mineral, '') IS NULL THEN {'column': 'mineral', 'reason': 'missing'} END,
            CASE WHEN try_strptime(nullif(retrieved_date, ''), '%Y-%m-%d')::DATE > current_date + INTERVAL 1 DAY
                THEN {'column': 'retrieved_date', 'reason': 'in the future'} END
        ] AS checks
    FROM raw_published_trade_figures
)
SELECT * EXCLUDE (checks), list_filter(checks, lambda p: p IS NOT NULL) AS problems FROM comtrade
UNION ALL BY NAME
SELECT * EXCLUDE (checks), list_filter(checks, lambda p: p IS NOT NULL) AS problems FROM published
