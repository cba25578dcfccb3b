-- The highest rung of its ladder that every milestone commitment has reached by the end of its
-- window, and the event that reached it. A rung marked `declaration` is reached by the declaration
-- itself on the signing day. Any other rung is reached by the commitment's evidence (the ledger)
-- from counts_from to the window's end, in its registers, with one of the rung's values (the event's
-- mechanism, exercise type or stage) when it lists values, a name matching its pattern when it has
-- one, none of its not_values, and at least min_events such events; the min_events-th reaches it. Announcements at the signing summit count here (they do not count as activity).
WITH typed AS (
    SELECT
        ev.commitment_id, e.event_id, e.name, e.start_date, e.family, e.source_url,
        CASE e.family WHEN 'dialogues' THEN e.mechanism WHEN 'exercises' THEN e.exercise_type
                      WHEN 'rd_projects' THEN e.stage WHEN 'port_calls' THEN e.service END AS type_value
    FROM evidence AS ev
    JOIN events AS e USING (event_id)
),
matching AS (
    SELECT r.commitment_id, r.rung, t.event_id, t.name, t.start_date, t.source_url
    FROM codebook_rungs AS r
    JOIN commitment_coverage AS c USING (commitment_id)
    CROSS JOIN run_parameters AS p
    JOIN typed AS t ON t.commitment_id = r.commitment_id
    WHERE NOT r.declaration
      AND t.start_date <= c.coverage_through
      AND (r.counts_from = 'any' OR t.start_date >= p.signing_date)
      AND list_contains(r.registers, t.family)
      AND NOT list_contains(r.not_values, coalesce(t.type_value, ''))
      AND (len(r.match_values) = 0 OR list_contains(r.match_values, t.type_value))
      AND (r.name_pattern IS NULL OR regexp_matches(t.name, r.name_pattern))
),
by_rung AS (
    SELECT
        commitment_id, rung,
        count(DISTINCT event_id) AS n_events,
        list(struct_pack(event_id, name, start_date, source_url) ORDER BY start_date, event_id)
            AS events
    FROM matching
    GROUP BY commitment_id, rung
),
reached AS (
    SELECT
        r.commitment_id, r.rung, r.stage, r.evidence,
        CASE WHEN r.declaration THEN NULL ELSE b.events[r.min_events].event_id END AS event_id,
        CASE WHEN r.declaration THEN 'Joint Declaration on Security Cooperation'
             ELSE b.events[r.min_events].name END AS event_name,
        CASE WHEN r.declaration THEN p.signing_date ELSE b.events[r.min_events].start_date END
            AS reached_on,
        CASE WHEN r.declaration THEN NULL ELSE b.events[r.min_events].source_url END AS source_url
    FROM codebook_rungs AS r
    JOIN commitment_coverage AS c USING (commitment_id)
    CROSS JOIN run_parameters AS p
    LEFT JOIN by_rung AS b USING (commitment_id, rung)
    WHERE r.declaration OR coalesce(b.n_events, 0) >= r.min_events
)
SELECT
    c.commitment_id,
    c.coverage_through AS window_end,
    (SELECT max(rung) FROM codebook_rungs AS all_r WHERE all_r.commitment_id = c.commitment_id)
        AS top_rung,
    arg_max_null(x.rung, x.rung) AS rung,
    arg_max_null(x.stage, x.rung) AS stage,
    arg_max_null(x.evidence, x.rung) AS stage_evidence,
    arg_max_null(x.event_id, x.rung) AS stage_event_id,
    arg_max_null(x.event_name, x.rung) AS stage_event_name,
    arg_max_null(x.reached_on, x.rung) AS stage_reached_on,
    arg_max_null(x.source_url, x.rung) AS stage_source_url
FROM commitment_coverage AS c
JOIN reached AS x USING (commitment_id)
WHERE c.kind = 'milestone'
GROUP BY c.commitment_id, c.coverage_through
ORDER BY c.commitment_id
