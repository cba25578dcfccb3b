-- How far each register has been searched for systematically: its complete-through date.
-- A log row (series, year Y, searched on D) covers 1 Jan Y .. min(31 Dec Y, D). A series is
-- complete through the end of its contiguous covered span starting 1 January 2022 (the first
-- year the log covers): every year up to that day was searched, so an absence there means no
-- event was found, not that no one looked. A register is complete through the earliest date
-- over its series; that series is the limiting one. A series with nothing covered from
-- 1 January 2022 is complete through 2021-12-31; a register with no log rows has no date.
WITH per_year AS (
    SELECT register, series, year, max(covers_to) AS covered_to
    FROM search_log
    WHERE year >= 2022
    GROUP BY ALL
),
bounds AS (
    SELECT register, series, max(year) AS last_year FROM per_year GROUP BY ALL
),
series_years AS (
    -- every year from 2022 to one past the last logged year, so a missing year shows as a gap
    SELECT b.register, b.series, g.year, p.covered_to
    FROM bounds AS b
    JOIN range(2022, 2200) AS g(year) ON g.year <= b.last_year + 1
    LEFT JOIN per_year AS p
        ON p.register = b.register AND p.series = b.series AND p.year = g.year
),
series_through AS (
    -- the first year not covered to its 31 December ends the span
    SELECT
        register,
        series,
        arg_min(coalesce(covered_to, make_date(year - 1, 12, 31)), year) AS complete_through
    FROM series_years
    WHERE covered_to IS NULL OR covered_to < make_date(year, 12, 31)
    GROUP BY ALL
),
per_register AS (
    SELECT
        register,
        min(complete_through) AS complete_through,
        count(*) AS n_series,
        string_agg(series, '; ' ORDER BY series)
            FILTER (WHERE complete_through = (SELECT min(complete_through) FROM series_through AS i
                                              WHERE i.register = o.register)) AS limiting_series
    FROM series_through AS o
    GROUP BY ALL
),
log_counts AS (
    SELECT
        register,
        count(*) AS n_searches,
        count(*) FILTER (WHERE result <> 'not found') AS n_found,
        max(searched_on) AS last_searched_on
    FROM search_log
    GROUP BY ALL
)
SELECT
    v.value AS register,
    r.complete_through,
    coalesce(r.n_series, 0) AS n_series,
    r.limiting_series,
    coalesce(c.n_searches, 0) AS n_searches,
    coalesce(c.n_found, 0) AS n_found,
    c.last_searched_on
FROM vocabularies AS v
LEFT JOIN per_register AS r ON r.register = v.value
LEFT JOIN log_counts AS c ON c.register = v.value
WHERE v.field = 'search_register'
ORDER BY v.value
