-- India's merchandise trade with Japan (exports plus imports), per Indian financial year, as
-- published from India's Department of Commerce data. Only complete years (periods 'FYyyyy-yy');
-- part-year figures stay in minerals_trade but are not mixed into the series. A year with a figure
-- the register doubts is its own series, so that the chart draws it apart.
WITH figures AS (
    SELECT year, flow, value_usd, doubtful
    FROM minerals_trade
    WHERE origin = 'published' AND mineral = 'all goods' AND reporter = 'IND' AND partner = 'JPN'
      AND regexp_full_match(period, 'FY[0-9]{4}-[0-9]{2}') AND value_usd IS NOT NULL
),
complete AS (
    SELECT year, sum(value_usd) AS value_usd, count(*) AS n_figures, bool_or(doubtful) AS doubtful
    FROM figures
    GROUP BY year
    HAVING count(DISTINCT flow) = 2 AND count(*) = 2
)
SELECT
    i.indicator_id,
    'FY' || c.year || '-' || right(CAST(c.year + 1 AS VARCHAR), 2) AS period,
    CASE WHEN c.doubtful THEN 'India–Japan total (doubtful: possibly partial year)'
         ELSE 'India–Japan total' END AS series,
    round(c.value_usd / 1e9, 2) AS value,
    c.n_figures AS n_events,
    c.doubtful
FROM indicators AS i
CROSS JOIN complete AS c
WHERE i.method = 'ind_bilateral_trade'
ORDER BY period
