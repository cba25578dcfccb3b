-- One row per commitment: its kind (from the codebook), the status its kind's rule gives at the end
-- of its window, and what the status rests on. Every window ends at coverage_through, the earliest
-- day to which all the registers the commitment draws on were searched; with a register never
-- searched the status is "not yet searched". The rules (also on the report's method page):
--   recurring       mechanism_status, the worst of the commitment's mechanisms:
--                   overdue > not yet held > on schedule > established
--   milestone       milestone_stages: the highest rung of the ladder reached, and the event
--   activity        activity_rates: above / below / in line with baseline, too few events to tell
--   statement       reaffirmed when a document both governments issued (issuer 'joint'), dated
--                   after the signing summit and up to the window's end, restates it; else not
--                   reaffirmed since signing (one side's readout alone does not count)
--   not measurable  the codebook's reason
WITH recurring AS (
    SELECT
        commitment_id,
        CASE
            WHEN bool_or(status = 'not yet searched') THEN 'not yet searched'
            WHEN bool_or(status = 'overdue') THEN 'overdue'
            WHEN bool_or(status = 'not yet held') THEN 'not yet held'
            WHEN bool_or(status = 'on schedule') THEN 'on schedule'
            ELSE 'established'
        END AS status,
        max(last_held) AS last_edition,
        min(next_due) AS next_due,
        list(name ORDER BY mechanism_id) FILTER (WHERE status = 'overdue') AS overdue_mechanisms,
        bool_or(held_late_since_signing) AS held_late_since_signing
    FROM mechanism_status
    GROUP BY commitment_id
),
stated AS (
    SELECT
        c.commitment_id,
        count(DISTINCT s.statement_id) AS n_statements,
        list(DISTINCT s.statement_id ORDER BY s.statement_id) FILTER (WHERE s.statement_id IS NOT NULL)
            AS statement_ids
    FROM commitment_coverage AS c
    CROSS JOIN run_parameters AS p
    LEFT JOIN statements AS s
        ON list_contains(s.commitment_ids, c.commitment_id)
       AND s.issuer = 'joint'
       AND s.document_date > p.summit_end
       AND s.document_date <= c.coverage_through
    WHERE c.kind = 'statement'
    GROUP BY c.commitment_id
),
measured AS (
    SELECT commitment_id, list(indicator_id ORDER BY indicator_id) AS indicator_ids
    FROM (SELECT indicator_id, status, unnest(commitments) AS commitment_id FROM indicators)
    WHERE status = 'measured'
    GROUP BY commitment_id
),
all_evidence AS (
    SELECT
        ev.commitment_id,
        count(DISTINCT ev.event_id) AS n_all_time,
        list(DISTINCT ev.event_id ORDER BY ev.event_id) FILTER (
            WHERE ev.start_date >= p.signing_date AND ev.start_date <= c.coverage_through)
            AS since_signing_event_ids
    FROM evidence AS ev
    JOIN commitment_coverage AS c USING (commitment_id)
    CROSS JOIN run_parameters AS p
    GROUP BY ev.commitment_id
)
SELECT
    cm.commitment_id,
    cm.section,
    cm.theme,
    cb.kind,
    CASE
        WHEN cb.kind = 'not measurable' THEN 'not measurable'
        WHEN cv.coverage_through IS NULL THEN 'not yet searched'
        WHEN cb.kind = 'recurring' THEN r.status
        WHEN cb.kind = 'milestone' THEN ms.stage
        WHEN cb.kind = 'activity' THEN a.status
        WHEN cb.kind = 'statement' THEN
            CASE WHEN st.n_statements > 0 THEN 'reaffirmed' ELSE 'not reaffirmed since signing' END
    END AS status,
    CASE WHEN cb.kind = 'activity' THEN p.summit_end + 1 ELSE p.signing_date END AS window_start,
    cv.coverage_through AS window_end,
    cv.coverage_through,
    p.as_of,
    cb.codebook_version,
    cb.registers,
    cv.unsearched_registers,
    -- recurring
    r.last_edition,
    r.next_due,
    coalesce(r.overdue_mechanisms, []) AS overdue_mechanisms,
    r.held_late_since_signing,
    -- milestone
    ms.stage,
    ms.rung AS stage_rung,
    ms.top_rung,
    ms.stage_event_id,
    ms.stage_event_name,
    ms.stage_reached_on,
    ms.stage_source_url,
    -- activity
    a.n_baseline,
    a.n_post,
    a.baseline_days,
    a.post_days,
    a.baseline_rate_per_year,
    a.post_rate_per_year,
    a.rate_ratio,
    a.ratio_low,
    a.ratio_high,
    -- statement
    st.n_statements,
    coalesce(st.statement_ids, []) AS statement_ids,
    -- every kind
    coalesce(ae.n_all_time, 0) AS n_all_time,
    coalesce(ae.since_signing_event_ids, []) AS since_signing_event_ids,
    coalesce(mi.indicator_ids, []) AS indicator_ids,
    nullif(cb.reason, '') AS not_measurable_reason,
    cb.counts,
    cb.does_not_count,
    -- what the status rests on, in words, for the report and the notebooks
    CASE
        WHEN cb.kind = 'not measurable' THEN cb.reason
        WHEN cv.coverage_through IS NULL
            THEN 'Never searched systematically: ' || array_to_string(cv.unsearched_registers, ', ') || '.'
        WHEN cb.kind = 'recurring' THEN
            coalesce('Last edition ' || strftime(r.last_edition, '%Y-%m-%d'), 'No edition recorded')
            || '; next due ' || strftime(r.next_due, '%Y-%m-%d')
            || coalesce('; overdue: ' || array_to_string(r.overdue_mechanisms, ', '), '')
            || CASE WHEN r.held_late_since_signing THEN '; an edition since signing was late' ELSE '' END
            || '.'
        WHEN cb.kind = 'milestone' THEN
            'Reached ' || strftime(ms.stage_reached_on, '%Y-%m-%d') || ' by ' || ms.stage_event_name
            || ' (rung ' || ms.rung || ' of ' || ms.top_rung || ').'
        WHEN cb.kind = 'activity' THEN
            a.n_post || ' event(s) in ' || a.post_days || ' days after the summit, '
            || a.n_baseline || ' in the ' || a.baseline_days || ' baseline days'
            -- a ratio of so few events (or of none to none) says nothing: it is not printed
            || CASE WHEN a.status = 'too few events to tell'
                    THEN '; too few events to compare the rates'
                    ELSE coalesce('; rate ratio ' || a.rate_ratio, '')
                         || coalesce(' (90% interval ' || a.ratio_low || '–' || coalesce(CAST(a.ratio_high AS VARCHAR), '∞') || ')', '')
               END
            || '.'
        WHEN cb.kind = 'statement' THEN
            st.n_statements || ' passage(s) of joint statements since the signing summit.'
    END AS basis,
    p.signing_date,
    p.baseline_start,
    p.baseline_end
FROM commitments AS cm
JOIN codebook AS cb USING (commitment_id)
JOIN commitment_coverage AS cv USING (commitment_id)
CROSS JOIN run_parameters AS p
LEFT JOIN recurring AS r USING (commitment_id)
LEFT JOIN milestone_stages AS ms USING (commitment_id)
LEFT JOIN activity_rates AS a USING (commitment_id)
LEFT JOIN stated AS st USING (commitment_id)
LEFT JOIN measured AS mi USING (commitment_id)
LEFT JOIN all_evidence AS ae USING (commitment_id)
ORDER BY cm.section, string_split(cm.commitment_id, '.')[2]::INTEGER
