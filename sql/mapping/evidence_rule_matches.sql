-- Every (rule, event) pair where the event meets all of the rule's conditions. A blank condition in
-- data/mapping/evidence_rules.csv matches anything; keywords are a case-insensitive regular
-- expression searched in the event's name, notes, source title and technology area.
SELECT
    r.commitment_id,
    e.event_id,
    r.rule_id,
    CAST(r.weight AS DOUBLE) AS weight
FROM events AS e
JOIN evidence_rules AS r
    ON (nullif(r.family, '') IS NULL OR r.family = e.family)
    AND (nullif(r.exercise_type, '') IS NULL OR r.exercise_type = e.exercise_type)
    AND (nullif(r.mechanism, '') IS NULL OR r.mechanism = e.mechanism)
    AND (nullif(r.stage, '') IS NULL OR r.stage = e.stage)
    AND (nullif(r.service, '') IS NULL OR r.service = e.service)
    AND (nullif(r.participant, '') IS NULL
        OR list_contains(list_concat(e.japan_participants, e.india_participants), r.participant))
    AND (nullif(r.keywords, '') IS NULL
        OR regexp_matches(concat_ws(' ', e.name, e.notes, e.source_title, e.technology_area),
                          '(?i)' || r.keywords))
