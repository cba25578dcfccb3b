-- Where every recurring mechanism stands at the end of its commitment's window (coverage_through).
-- A mechanism was running at signing when its last edition before signing was not yet overdue then.
-- The next edition is due one cadence after the last one; for a mechanism never held, or lapsed at
-- signing and not held since, one cadence after signing (the declaration restarts the clock).
--   not yet searched  a register it draws on has no coverage
--   overdue           the window ends more than the grace period after the next edition was due
--   not yet held      no edition since signing of a mechanism not running at signing, not yet overdue
--   established       held since signing, not running at signing (new or revived), not overdue
--   on schedule       running at signing, not overdue (whether or not an edition fell since signing)
-- Editions after the window's end are not seen: nobody has searched there yet.
WITH seen AS (
    SELECT
        m.commitment_id, m.mechanism_id, m.name, m.cadence_months, m.cadence_basis, m.grace_days,
        c.coverage_through AS window_end,
        any_value(p.signing_date) AS signing_date,
        max(ed.held_on) FILTER (WHERE ed.held_on < p.signing_date) AS last_before_signing,
        max(ed.held_on) FILTER (WHERE ed.held_on <= c.coverage_through) AS last_held,
        count(ed.held_on) FILTER (
            WHERE ed.held_on >= p.signing_date AND ed.held_on <= c.coverage_through
        ) AS editions_since_signing,
        coalesce(bool_or(ed.held_late) FILTER (
            WHERE ed.held_on >= p.signing_date AND ed.held_on <= c.coverage_through), false
        ) AS held_late_since_signing,
        arg_max(ed.name, ed.held_on) FILTER (WHERE ed.held_on <= c.coverage_through) AS last_name,
        arg_max(ed.source_url, ed.held_on) FILTER (WHERE ed.held_on <= c.coverage_through)
            AS last_source_url
    FROM codebook_mechanisms AS m
    JOIN commitment_coverage AS c USING (commitment_id)
    CROSS JOIN run_parameters AS p
    LEFT JOIN mechanism_editions AS ed USING (commitment_id, mechanism_id)
    GROUP BY ALL
),
running AS (
    SELECT
        *,
        coalesce(CAST(last_before_signing + to_months(cadence_months) + to_days(grace_days) AS DATE)
                 >= signing_date, false) AS running_at_signing
    FROM seen
),
due AS (
    SELECT
        *,
        CAST(CASE WHEN last_held IS NULL OR (editions_since_signing = 0 AND NOT running_at_signing)
                  THEN signing_date ELSE last_held END
             + to_months(cadence_months) AS DATE) AS next_due
    FROM running
)
SELECT
    commitment_id, mechanism_id, name, cadence_months, cadence_basis, grace_days, window_end,
    last_before_signing, running_at_signing, last_held, last_name, last_source_url,
    editions_since_signing, held_late_since_signing, next_due,
    CASE
        WHEN window_end IS NULL THEN 'not yet searched'
        WHEN window_end > CAST(next_due + to_days(grace_days) AS DATE) THEN 'overdue'
        WHEN editions_since_signing = 0 AND NOT running_at_signing THEN 'not yet held'
        WHEN NOT running_at_signing THEN 'established'
        ELSE 'on schedule'
    END AS status
FROM due
ORDER BY commitment_id, mechanism_id
