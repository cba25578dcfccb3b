-- Each side's share, in percent, of the other's imports of catalogue minerals: from Comtrade
-- (imports from the partner over imports from the World, per reporter and year), and shares
-- published as such (unit starting 'percent').
WITH comtrade AS (
    SELECT year, reporter, partner, value_usd
    FROM minerals_trade
    WHERE origin = 'comtrade' AND flow = 'import'
),
computed AS (
    SELECT
        b.year,
        b.reporter || ' imports from ' || b.partner AS series,
        100 * sum(b.value_usd) / nullif(any_value(w.world_usd), 0) AS value,
        count(*) AS n_events
    FROM comtrade AS b
    JOIN (SELECT year, reporter, sum(value_usd) AS world_usd FROM comtrade WHERE partner = 'WLD'
          GROUP BY ALL) AS w USING (year, reporter)
    WHERE b.partner IN ('JPN', 'IND')
    GROUP BY b.year, b.reporter, b.partner
),
published AS (
    SELECT year, reporter || ' imports from ' || partner || ' (' || mineral || ')' AS series,
           value, 1 AS n_events
    FROM minerals_trade
    WHERE origin = 'published' AND flow = 'import' AND starts_with(unit, 'percent')
)
SELECT i.indicator_id, CAST(s.year AS VARCHAR) AS period, s.series, round(s.value, 1) AS value, s.n_events
FROM indicators AS i
CROSS JOIN (SELECT * FROM computed UNION ALL SELECT * FROM published) AS s
WHERE i.method = 'ind_minerals_import_share'
ORDER BY period, series
