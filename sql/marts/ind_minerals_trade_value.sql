-- Bilateral Japan–India trade in critical minerals, USD million per year and mineral group.
-- Comtrade: imports as reported by the importer (mirror exports are not added, to avoid counting a
-- flow twice); published figures: bilateral rows in USD. Codes shared by several minerals count
-- once, under their group ('mixed' across groups).
WITH bilateral AS (
    SELECT year, mineral_group, value_usd
    FROM minerals_trade
    WHERE mineral_group <> 'all goods' AND value_usd IS NOT NULL
      AND partner IN ('JPN', 'IND')
      AND (origin = 'published' OR flow = 'import')
)
SELECT
    i.indicator_id,
    CAST(b.year AS VARCHAR) AS period,
    b.mineral_group AS series,
    round(sum(b.value_usd) / 1e6, 1) AS value,
    count(*) AS n_events
FROM indicators AS i
CROSS JOIN bilateral AS b
WHERE i.method = 'ind_minerals_trade_value'
GROUP BY ALL
ORDER BY period, series
