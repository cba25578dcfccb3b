-- Japan's share, in percent, of India's exports of each mineral group, per Indian financial year:
-- India's exports to Japan over India's exports to all countries, summed over the same EIDB 8-digit
-- codes (the only figures that give both). `specific` uses the codes that carry the mineral alone;
-- `upper bound` every code that may carry it. Figures published as 0.00 count as zero, so a share
-- built on them is a floor.
WITH codes AS (
    SELECT *, 'specific' AS measure FROM trade_by_mineral
    WHERE origin = 'eidb' AND carries = 'specific' AND world_usd IS NOT NULL AND used
    UNION ALL
    SELECT *, 'upper bound' AS measure FROM trade_by_mineral
    WHERE origin = 'eidb' AND world_usd IS NOT NULL AND used
),
shares AS (
    SELECT
        mineral, period, period_kind, measure,
        100 * sum(value_usd) / nullif(sum(world_usd), 0) AS share,
        sum(value_usd) / 1e6 AS japan_usd_million,
        sum(world_usd) / 1e6 AS world_usd_million,
        count(*) AS n_figures,
        count(*) FILTER (WHERE carries = 'mixed') AS n_mixed,
        count(*) FILTER (WHERE below_rounding) AS n_below_rounding
    FROM codes
    GROUP BY ALL
)
SELECT
    i.indicator_id,
    s.period,
    s.mineral || ': Japan''s share of India''s exports, ' || s.measure AS series,
    round(s.share, 1) AS value,
    s.n_figures AS n_events,
    s.mineral, s.measure, s.period_kind,
    round(s.japan_usd_million, 2) AS japan_usd_million,
    round(s.world_usd_million, 2) AS world_usd_million,
    s.n_below_rounding
FROM indicators AS i
CROSS JOIN shares AS s
WHERE i.method = 'ind_minerals_japan_share'
  AND s.share IS NOT NULL
  AND (s.measure = 'specific' OR s.n_mixed > 0)
ORDER BY s.mineral, s.period, s.measure
