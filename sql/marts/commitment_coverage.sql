-- Each commitment's window end: the earliest day to which every register it draws on was searched
-- systematically, and never after the run's as-of day. A register without a coverage row was never
-- searched: the commitment gets no window ("not yet searched") rather than one running to today.
WITH searched AS (
    SELECT register, min(complete_through) AS complete_through
    FROM register_coverage
    GROUP BY register
),
drawn AS (
    SELECT cb.commitment_id, d.register, s.complete_through
    FROM codebook AS cb, unnest(cb.registers) AS d(register)
    LEFT JOIN searched AS s USING (register)
)
SELECT
    cb.commitment_id,
    cb.kind,
    cb.registers,
    coalesce(list(d.register ORDER BY d.register) FILTER (WHERE d.complete_through IS NULL), [])
        AS unsearched_registers,
    CASE
        WHEN len(cb.registers) = 0 OR bool_or(d.complete_through IS NULL) THEN NULL
        ELSE least(min(d.complete_through), any_value(p.as_of))
    END AS coverage_through,
    any_value(p.as_of) AS as_of
FROM codebook AS cb
CROSS JOIN run_parameters AS p
LEFT JOIN drawn AS d USING (commitment_id)
GROUP BY cb.commitment_id, cb.kind, cb.registers
ORDER BY cb.commitment_id
