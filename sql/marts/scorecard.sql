-- One row per commitment: evidence in equal windows before and after signing, and its status.
-- Status rule (documented in the report's method page):
--   not measurable  the catalogue says public data cannot measure it (and no indicator measures it)
--   no evidence     no evidence event since signing
--   intensified     post-signing rate above baseline by an exact one-sided conditional binomial
--                   test of two Poisson rates: p = P(X >= n_post), X ~ Bin(n_base + n_post,
--                   t_post / (t_post + t_base)); intensified when p < 0.05
--   sustained       evidence since signing at or above the baseline rate (not significant)
--   initiated       evidence since signing, at a rate below the baseline
WITH params AS (SELECT * FROM run_parameters),
coverage AS (
    SELECT
        commitment_id,
        list(indicator_id ORDER BY indicator_id) FILTER (WHERE status = 'measured') AS indicator_ids,
        string_agg(reason, ' ') FILTER (WHERE status = 'not measurable') AS not_measurable_reason
    FROM (SELECT *, unnest(commitments) AS commitment_id FROM indicators)
    GROUP BY commitment_id
),
windows AS (
    SELECT
        c.commitment_id, c.section, c.theme,
        count(DISTINCT ev.event_id) FILTER (
            WHERE ev.start_date >= p.baseline_start AND ev.start_date < p.signing_date) AS n_baseline,
        count(DISTINCT ev.event_id) FILTER (
            WHERE ev.start_date >= p.signing_date AND ev.start_date <= p.as_of) AS n_post,
        count(DISTINCT ev.event_id) AS n_all_time,
        list(DISTINCT ev.event_id ORDER BY ev.event_id) FILTER (
            WHERE ev.start_date >= p.signing_date AND ev.start_date <= p.as_of) AS post_event_ids,
        any_value(p.baseline_start) AS baseline_start,
        any_value(p.signing_date) AS signing_date,
        any_value(p.as_of) AS as_of,
        any_value(p.window_days) AS window_days
    FROM commitments AS c
    CROSS JOIN params AS p
    LEFT JOIN evidence AS ev USING (commitment_id)
    GROUP BY c.commitment_id, c.section, c.theme
),
tested AS (
    SELECT
        w.*,
        -- Windows are equal, so the share of time after signing is one half.
        (SELECT coalesce(sum(exp(lgamma(n + 1) - lgamma(i + 1) - lgamma(n - i + 1)
                                 + i * ln(0.5) + (n - i) * ln(0.5))), 1.0)
         FROM (SELECT w.n_baseline + w.n_post AS n), range(w.n_post, w.n_baseline + w.n_post + 1) AS r(i)
        ) AS p_value
    FROM windows AS w
)
SELECT
    t.commitment_id,
    t.section,
    t.theme,
    CASE
        WHEN len(coalesce(cv.indicator_ids, [])) = 0 AND cv.not_measurable_reason IS NOT NULL
            THEN 'not measurable'
        WHEN t.n_post = 0 THEN 'no evidence'
        WHEN t.n_post > t.n_baseline AND t.p_value < 0.05 THEN 'intensified'
        WHEN t.n_post >= t.n_baseline THEN 'sustained'
        ELSE 'initiated'
    END AS status,
    t.n_baseline,
    t.n_post,
    t.n_all_time,
    round(t.n_baseline * 365.25 / t.window_days, 2) AS baseline_rate_per_year,
    round(t.n_post * 365.25 / t.window_days, 2) AS post_rate_per_year,
    round(t.p_value, 4) AS p_value,
    CASE WHEN t.n_post > t.n_baseline THEN 'up' WHEN t.n_post < t.n_baseline THEN 'down' ELSE 'flat' END AS trend,
    coalesce(cv.indicator_ids, []) AS indicator_ids,
    cv.not_measurable_reason,
    coalesce(t.post_event_ids, []) AS post_event_ids,
    t.baseline_start,
    t.signing_date,
    t.as_of,
    t.window_days
FROM tested AS t
LEFT JOIN coverage AS cv USING (commitment_id)
ORDER BY t.section, string_split(t.commitment_id, '.')[2]::INTEGER
