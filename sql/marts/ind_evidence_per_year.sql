-- Values of every indicator whose method is ind_evidence_per_year: per calendar year from 2015,
-- the number of distinct events that evidence any of the indicator's commitments.
WITH measured AS (
    SELECT indicator_id, unnest(commitments) AS commitment_id
    FROM indicators
    WHERE method = 'ind_evidence_per_year' AND status = 'measured'
),
years AS (
    SELECT i.indicator_id, CAST(y AS VARCHAR) AS period
    FROM indicators AS i, run_parameters AS p, range(2015, year(p.as_of) + 1) AS r(y)
    WHERE i.method = 'ind_evidence_per_year' AND i.status = 'measured'
),
counts AS (
    SELECT m.indicator_id, CAST(year(ev.start_date) AS VARCHAR) AS period,
           count(DISTINCT ev.event_id) AS n_events
    FROM measured AS m
    JOIN evidence AS ev USING (commitment_id)
    GROUP BY ALL
)
SELECT
    y.indicator_id,
    y.period,
    'events' AS series,
    CAST(coalesce(c.n_events, 0) AS DOUBLE) AS value,
    coalesce(c.n_events, 0) AS n_events
FROM years AS y
LEFT JOIN counts AS c USING (indicator_id, period)
ORDER BY y.indicator_id, y.period
