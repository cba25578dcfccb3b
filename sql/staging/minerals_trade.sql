-- Japan–India trade in critical-mineral codes, one row per figure, each with its source: UN Comtrade
-- snapshots, India's Export Import Data Bank (EIDB) and the register of published figures. Codes
-- keep their own precision (hs_level 4, 5, 6 or 8); `hs6_code` and `hs_match` say how a code meets
-- the catalogue's HS 2022 6-digit codes. A code that may carry several minerals lists them all and
-- is `mixed`: never add values across minerals (trade_by_mineral splits them). Periods keep their
-- kind: Indian financial years (April–March), calendar years, months or part-years never mix.
WITH figures AS (
    SELECT
        origin, record_id, year, period,
        CASE WHEN origin = 'comtrade' THEN 'calendar_year'
             WHEN regexp_full_match(period, 'FY[0-9]{4}-[0-9]{2}') THEN 'financial_year'
             WHEN starts_with(period, 'FY') THEN 'part_year'
             WHEN regexp_full_match(period, '[0-9]{4}') THEN 'calendar_year'
             WHEN regexp_full_match(period, '[0-9]{4}-[0-9]{2}') THEN 'month'
             ELSE 'part_year' END AS period_kind,
        reporter, partner, flow, hs_code, NULL AS description, mineral_as_published,
        value_usd, value, unit,
        false AS below_rounding, NULL::DOUBLE AS rounding_usd,
        net_weight_kg AS quantity, CASE WHEN net_weight_kg IS NOT NULL THEN 'kg' END AS quantity_unit,
        NULL::DOUBLE AS world_usd, doubtful, source, source_url
    FROM stg_trade_rows
    WHERE len(problems) = 0
    UNION ALL BY NAME
    SELECT
        origin, record_id, year, period, period_kind, reporter, partner, flow, hs_code, description,
        mineral_as_published, value_usd, value, unit, below_rounding, rounding_usd, quantity,
        quantity_unit, world_usd, false AS doubtful, source, source_url
    FROM stg_eidb_rows
    WHERE len(problems) = 0
),
codes AS (
    SELECT
        hs_code,
        any_value(hs_level) AS hs_level,
        any_value(hs6_code) AS hs6_code,
        any_value(hs_match) AS hs_match,
        string_agg(DISTINCT mineral, '; ' ORDER BY mineral) AS mineral,
        CASE WHEN count(DISTINCT mineral_group) > 1 THEN 'mixed' ELSE any_value(mineral_group) END
            AS mineral_group,
        CASE WHEN count(DISTINCT mineral) = 1 AND bool_and(carries = 'specific') THEN 'specific'
             WHEN count(mineral) > 0 THEN 'mixed' END AS carries
    FROM trade_codes
    GROUP BY hs_code
),
published_groups AS (
    SELECT mineral, any_value(mineral_group) AS mineral_group FROM critical_minerals GROUP BY mineral
)
SELECT
    f.year, f.period, f.period_kind, f.reporter, f.partner, f.flow,
    f.hs_code, coalesce(c.hs_level, 0) AS hs_level, c.hs6_code,
    coalesce(c.hs_match, 'no HS code published') AS hs_match,
    coalesce(c.mineral, f.mineral_as_published) AS mineral,
    CASE WHEN c.mineral IS NOT NULL THEN c.mineral_group
         WHEN f.mineral_as_published = 'all goods' THEN 'all goods'
         WHEN f.hs_code IS NULL THEN coalesce(g.mineral_group, 'other') END AS mineral_group,
    c.carries,
    f.description,
    f.value_usd, f.value, f.unit, f.below_rounding, f.rounding_usd,
    f.quantity, f.quantity_unit,
    CASE WHEN f.quantity_unit = 'kg' THEN f.quantity END AS net_weight_kg,
    f.world_usd, f.doubtful,
    f.source, f.source_url, f.record_id AS snapshot_id, f.origin
FROM figures AS f
LEFT JOIN codes AS c USING (hs_code)
LEFT JOIN published_groups AS g ON g.mineral = f.mineral_as_published
ORDER BY f.origin, f.year, f.reporter, f.partner, f.flow, f.hs_code, f.period, f.record_id
