-- Year-on-year change of India–Japan merchandise trade, in percent, between consecutive
-- financial years of ind_bilateral_trade (no value where the previous year is missing, and none
-- into or out of a year whose figure the register doubts).
WITH series AS (
    SELECT period, value, n_events, doubtful,
           lag(period) OVER (ORDER BY period) AS previous_period,
           lag(value) OVER (ORDER BY period) AS previous_value,
           lag(doubtful) OVER (ORDER BY period) AS previous_doubtful
    FROM ind_bilateral_trade
)
SELECT
    i.indicator_id,
    s.period,
    'India–Japan total' AS series,
    round(100 * (s.value - s.previous_value) / s.previous_value, 1) AS value,
    s.n_events
FROM indicators AS i
CROSS JOIN series AS s
WHERE i.method = 'ind_trade_yoy'
  AND s.previous_value IS NOT NULL
  AND NOT s.doubtful AND NOT s.previous_doubtful
  AND CAST(substr(s.period, 3, 4) AS INTEGER) = CAST(substr(s.previous_period, 3, 4) AS INTEGER) + 1
ORDER BY s.period
