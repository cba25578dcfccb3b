-- Each trade figure once per catalogue mineral its code may carry, with whether the code carries
-- that mineral alone (`specific`) or more (`mixed`: its value is only an upper bound for the
-- mineral). `used` is false where finer codes of the same source, flow and period cover it (EIDB's
-- 4-digit exports beside its 8-digit lines), so that no flow is counted twice.
WITH figures AS (
    -- A Comtrade snapshot holds many figures: the key adds what tells them apart.
    SELECT *, concat_ws('|', snapshot_id, reporter, partner, flow, period, hs_code) AS figure_key
    FROM minerals_trade WHERE hs_code IS NOT NULL AND value_usd IS NOT NULL
),
-- The shorter codes that each figure's code falls under: an equality join, not a prefix scan,
-- so that millions of Comtrade rows stay a hash join.
prefixes AS (
    SELECT DISTINCT origin, reporter, partner, flow, period, period_kind,
           left(hs_code, n) AS hs_code
    FROM figures, range(4, 8) AS r(n)
    WHERE n < length(hs_code)
),
covered AS (
    SELECT DISTINCT f.figure_key
    FROM figures AS f
    JOIN prefixes AS p USING (origin, reporter, partner, flow, period, period_kind, hs_code)
)
SELECT
    f.origin, f.source, f.snapshot_id, f.reporter, f.partner, f.flow,
    f.period, f.period_kind, f.year,
    f.hs_code, f.hs_level, f.hs6_code,
    c.mineral, c.mineral_group, c.carries,
    f.value_usd, f.below_rounding, f.rounding_usd, f.world_usd, f.doubtful,
    v.figure_key IS NULL AS used
FROM figures AS f
JOIN trade_codes AS c ON c.hs_code = f.hs_code AND c.mineral IS NOT NULL
LEFT JOIN covered AS v ON v.figure_key = f.figure_key
ORDER BY c.mineral, f.origin, f.period, f.hs_code, f.snapshot_id
