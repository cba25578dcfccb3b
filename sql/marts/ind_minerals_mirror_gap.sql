-- The mirror gap: what the importer reports against what the exporter reports for the same flow,
-- in percent of the exporter's figure, per mineral group and period. Only like with like: the same
-- codes, the same period of the same kind (an Indian financial year never meets a calendar year)
-- and one source on both sides. Freight and insurance (imports CIF, exports FOB) and timing make
-- gaps of several percent normal; beyond 25 percent the gap is flagged `large`.
WITH sides AS (
    SELECT * FROM trade_by_mineral WHERE used AND partner IN ('JPN', 'IND')
),
pairs AS (
    SELECT
        x.mineral, x.period, x.period_kind, x.origin,
        x.reporter AS exporter, m.reporter AS importer,
        sum(x.value_usd) / 1e6 AS exporter_usd_million,
        sum(m.value_usd) / 1e6 AS importer_usd_million,
        count(*) AS n_codes,
        bool_and(x.carries = 'specific') AS specific
    FROM sides AS x
    JOIN sides AS m
      ON x.flow = 'export' AND m.flow = 'import'
     AND m.reporter = x.partner AND m.partner = x.reporter
     AND m.hs_code = x.hs_code AND m.mineral = x.mineral
     AND m.period = x.period AND m.period_kind = x.period_kind AND m.origin = x.origin
    GROUP BY ALL
)
SELECT
    i.indicator_id,
    p.period,
    p.mineral || ': ' || p.importer || ' imports vs ' || p.exporter || ' exports' AS series,
    round(100 * (p.importer_usd_million - p.exporter_usd_million) / p.exporter_usd_million, 1) AS value,
    p.n_codes AS n_events,
    p.mineral, p.period_kind, p.origin, p.exporter, p.importer,
    round(p.exporter_usd_million, 3) AS exporter_usd_million,
    round(p.importer_usd_million, 3) AS importer_usd_million,
    p.specific,
    abs(p.importer_usd_million - p.exporter_usd_million) > 0.25 * p.exporter_usd_million AS large
FROM indicators AS i
CROSS JOIN pairs AS p
WHERE i.method = 'ind_minerals_mirror_gap' AND p.exporter_usd_million > 0
ORDER BY p.mineral, p.period, p.exporter
