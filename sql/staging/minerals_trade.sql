-- Japan–India trade in critical minerals: Comtrade rows matched to the catalogue's HS codes, and
-- the published figures register, each row with its source. A code that carries several minerals
-- lists them all (mineral_group 'mixed' across groups); do not add values across minerals.
WITH catalogue AS (
    SELECT
        hs_code,
        string_agg(DISTINCT mineral, '; ' ORDER BY mineral) AS mineral,
        CASE WHEN count(DISTINCT mineral_group) = 1 THEN any_value(mineral_group) ELSE 'mixed' END
            AS mineral_group
    FROM critical_minerals
    WHERE hs_code <> ''
    GROUP BY hs_code
),
published_groups AS (
    SELECT mineral, any_value(mineral_group) AS mineral_group FROM critical_minerals GROUP BY mineral
)
SELECT
    t.year, t.period, t.reporter, t.partner, t.flow, t.hs_code,
    c.mineral, c.mineral_group,
    t.value_usd, t.net_weight_kg, t.value, t.unit,
    t.source, t.source_url, t.record_id AS snapshot_id, t.origin
FROM stg_trade_rows AS t
JOIN catalogue AS c USING (hs_code)
WHERE t.origin = 'comtrade' AND len(t.problems) = 0
UNION ALL
SELECT
    t.year, t.period, t.reporter, t.partner, t.flow, t.hs_code,
    t.mineral_as_published AS mineral,
    coalesce(g.mineral_group, CASE WHEN t.mineral_as_published = 'all goods' THEN 'all goods' ELSE 'other' END),
    t.value_usd, t.net_weight_kg, t.value, t.unit,
    t.source, t.source_url, t.record_id AS snapshot_id, t.origin
FROM stg_trade_rows AS t
LEFT JOIN published_groups AS g ON g.mineral = t.mineral_as_published
WHERE t.origin = 'published' AND len(t.problems) = 0
ORDER BY year, reporter, partner, flow, hs_code
