-- Activity commitments: the rate of evidence events since signing against a fixed baseline, the
-- three years before signing, as a rate ratio with an exact interval.
--   baseline  [baseline_start, baseline_end]: 29 Aug 2022 to 28 Aug 2025
--   post      (summit_end, window_end]: from the day after the signing summit to coverage_through;
--             what the summit announced moves milestones, not activity
-- Given n = n_base + n_post events, n_post ~ Binomial(n, pi) with pi = RR t_post / (RR t_post +
-- t_base), so the Clopper-Pearson interval of pi at the run's level (90%), found here by bisection on
-- the binomial tails, maps to the rate ratio by RR = pi / (1 - pi) * t_base / t_post.
WITH RECURSIVE counted AS (
    SELECT
        c.commitment_id, c.coverage_through AS window_end,
        CAST(p.baseline_end - p.baseline_start + 1 AS INTEGER) AS baseline_days,
        CAST(greatest(c.coverage_through - p.summit_end, 0) AS INTEGER) AS post_days,
        count(DISTINCT e.event_id) FILTER (
            WHERE e.start_date BETWEEN p.baseline_start AND p.baseline_end) AS n_baseline,
        count(DISTINCT e.event_id) FILTER (
            WHERE e.start_date > p.summit_end AND e.start_date <= c.coverage_through) AS n_post,
        coalesce(list(DISTINCT e.event_id ORDER BY e.event_id) FILTER (
            WHERE e.start_date > p.summit_end AND e.start_date <= c.coverage_through), [])
            AS post_event_ids,
        any_value(p.interval_level) AS level,
        any_value(p.min_events) AS min_events
    FROM commitment_coverage AS c
    CROSS JOIN run_parameters AS p
    LEFT JOIN evidence AS ev USING (commitment_id)
    LEFT JOIN events AS e ON e.event_id = ev.event_id AND list_contains(c.registers, e.family)
    WHERE c.kind = 'activity'
    GROUP BY c.commitment_id, c.coverage_through, p.baseline_start, p.baseline_end, p.summit_end
),
search(commitment_id, x, n, tail, bound, lo, hi, step) AS (
    SELECT commitment_id, n_post, n_baseline + n_post, (1 - level) / 2, 'low', 0.0::DOUBLE, 1.0::DOUBLE, 0
    FROM counted WHERE n_post > 0 AND post_days > 0
    UNION ALL
    SELECT commitment_id, n_post, n_baseline + n_post, (1 - level) / 2, 'high', 0.0, 1.0, 0
    FROM counted WHERE n_baseline > 0 AND post_days > 0
    UNION ALL
    SELECT
        s.commitment_id, s.x, s.n, s.tail, s.bound,
        CASE WHEN t.move_up THEN (s.lo + s.hi) / 2 ELSE s.lo END,
        CASE WHEN t.move_up THEN s.hi ELSE (s.lo + s.hi) / 2 END,
        s.step + 1
    FROM search AS s,
    LATERAL (
        -- low bound: P(X >= x | pi) grows with pi, so move up while it is below the tail;
        -- high bound: P(X <= x | pi) falls with pi, so move up while it is above the tail.
        SELECT CASE WHEN s.bound = 'low' THEN coalesce(sum(b.pmf) FILTER (WHERE b.k >= s.x), 0) < s.tail
                    ELSE coalesce(sum(b.pmf) FILTER (WHERE b.k <= s.x), 0) > s.tail END AS move_up
        FROM (
            SELECT k, exp(lgamma(s.n + 1) - lgamma(k + 1) - lgamma(s.n - k + 1)
                          + k * ln((s.lo + s.hi) / 2) + (s.n - k) * ln(1 - (s.lo + s.hi) / 2)) AS pmf
            FROM range(0, s.n + 1) AS r(k)
        ) AS b
    ) AS t
    WHERE s.step < 50
),
bounds AS (
    SELECT
        commitment_id,
        max((lo + hi) / 2) FILTER (WHERE bound = 'low') AS pi_low,
        max((lo + hi) / 2) FILTER (WHERE bound = 'high') AS pi_high
    FROM search
    WHERE step = 50
    GROUP BY commitment_id
),
rated AS (
    SELECT
        c.*,
        CASE WHEN c.n_baseline > 0 AND c.post_days > 0
             THEN (c.n_post / c.post_days) / (c.n_baseline / c.baseline_days) END AS rate_ratio,
        CASE WHEN c.post_days > 0 THEN coalesce(b.pi_low / (1 - b.pi_low), 0)
                                       * c.baseline_days / c.post_days END AS ratio_low,
        -- no upper bound when there is no baseline event: the ratio may be any size
        CASE WHEN c.post_days > 0 AND c.n_baseline > 0
             THEN b.pi_high / (1 - b.pi_high) * c.baseline_days / c.post_days END AS ratio_high
    FROM counted AS c
    LEFT JOIN bounds AS b USING (commitment_id)
)
SELECT
    commitment_id, window_end, baseline_days, post_days, n_baseline, n_post,
    round(n_baseline * 365.25 / baseline_days, 2) AS baseline_rate_per_year,
    CASE WHEN post_days > 0 THEN round(n_post * 365.25 / post_days, 2) END AS post_rate_per_year,
    round(rate_ratio, 3) AS rate_ratio,
    round(ratio_low, 3) AS ratio_low,
    round(ratio_high, 3) AS ratio_high,
    post_event_ids,
    CASE
        WHEN window_end IS NULL OR post_days = 0 THEN 'not yet searched'
        WHEN n_baseline + n_post < min_events THEN 'too few events to tell'
        WHEN ratio_low > 1 THEN 'above baseline'
        WHEN ratio_high < 1 THEN 'below baseline'
        ELSE 'in line with baseline'
    END AS status
FROM rated
ORDER BY commitment_id
