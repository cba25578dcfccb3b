-- Values of every indicator whose method is ind_evidence_per_year: per calendar year from 2015,
-- the number of distinct events that evidence any of the indicator's commitments (an event that
-- evidences several of them counts once). Each year says how much of it was searched: the
-- indicator's coverage is the earliest coverage date of its commitments, and a year is
--   complete          searched to its 31 December
--   part year         searched only to coverage_through, which falls inside it
--   not yet searched  starting after coverage_through (or the registers were never searched)
WITH measured AS (
    SELECT indicator_id, unnest(commitments) AS commitment_id
    FROM indicators
    WHERE method = 'ind_evidence_per_year' AND status = 'measured'
),
covered AS (
    SELECT
        m.indicator_id,
        CASE WHEN bool_or(c.coverage_through IS NULL) THEN NULL ELSE min(c.coverage_through) END
            AS coverage_through
    FROM measured AS m
    JOIN commitment_coverage AS c USING (commitment_id)
    GROUP BY m.indicator_id
),
years AS (
    SELECT i.indicator_id, y AS year, CAST(y AS VARCHAR) AS period
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
    coalesce(c.n_events, 0) AS n_events,
    CASE
        WHEN cv.coverage_through IS NULL OR make_date(y.year, 1, 1) > cv.coverage_through
            THEN 'not yet searched'
        WHEN make_date(y.year, 12, 31) > cv.coverage_through THEN 'part year'
        ELSE 'complete'
    END AS period_status,
    cv.coverage_through
FROM years AS y
LEFT JOIN counts AS c USING (indicator_id, period)
LEFT JOIN covered AS cv USING (indicator_id)
ORDER BY y.indicator_id, y.period
