-- Japan–India trade per mineral group (a catalogue mineral, or a family such as rare earths or
-- platinum-group metals), US$ million per period, each source and reporter apart. `specific` adds
-- only codes that carry the mineral alone; `upper bound` adds the codes that carry it among other
-- things (drawn only where such codes traded). A sum made only of figures published as 0.00 is
-- `below_rounding`: less than n x US$ 5,000, not zero.
WITH flows AS (
    SELECT
        *,
        CASE flow WHEN 'export' THEN reporter || ' exports to ' || partner
                  ELSE reporter || ' imports from ' || partner END AS flow_label
    FROM trade_by_mineral
    WHERE used AND partner IN ('JPN', 'IND')
),
measures AS (
    SELECT *, 'specific' AS measure FROM flows WHERE carries = 'specific'
    UNION ALL
    SELECT *, 'upper bound' AS measure FROM flows
),
totals AS (
    SELECT
        mineral, any_value(mineral_group) AS mineral_group, source, origin, flow_label,
        period, period_kind, measure,
        sum(value_usd) / 1e6 AS value_usd_million,
        count(*) AS n_figures,
        count(*) FILTER (WHERE carries = 'mixed') AS n_mixed,
        count(*) FILTER (WHERE below_rounding) AS n_below_rounding,
        sum(rounding_usd) FILTER (WHERE below_rounding) / 1e6 AS below_rounding_limit_million,
        bool_or(doubtful) AS doubtful
    FROM measures
    GROUP BY ALL
)
SELECT
    i.indicator_id,
    t.period,
    t.mineral || ': ' || t.flow_label || ', ' || t.measure || ' (' || t.origin || ')' AS series,
    round(t.value_usd_million, 2) AS value,
    t.n_figures AS n_events,
    t.mineral, t.mineral_group, t.flow_label, t.measure, t.period_kind, t.source, t.origin,
    t.n_mixed, t.n_below_rounding,
    t.value_usd_million = 0 AND t.n_below_rounding > 0 AS below_rounding,
    round(t.below_rounding_limit_million, 3) AS below_rounding_limit_million,
    t.doubtful
FROM indicators AS i
CROSS JOIN totals AS t
WHERE i.method = 'ind_minerals_trade_value'
  AND (t.measure = 'specific' OR t.n_mixed > 0)
ORDER BY t.mineral, t.origin, t.flow_label, t.period_kind, t.period, t.measure
