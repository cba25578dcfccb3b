-- The regular-expression form of evidence_rule_matches, kept as the oracle that
-- tests/test_rule_keyword_hits.py compares the warehouse model with: every row is tested against
-- every rule's expression. It is not a warehouse model (sql/ holds those).
-- Every (rule, event) pair where a register row meets all of the rule's conditions, keyed to the
-- real event the row reports (its canonical id in `events`). Conditions are read from
-- data/mapping/evidence_rules.csv; a blank one matches anything, and '|' separates alternatives.
-- japan_any / india_any need at least one of the listed codes among that side's participants
-- (who acts is part of what a commitment says). valid_from drops events before that date.
-- keywords is a case-insensitive regular expression searched only in keyword_fields (e.g. the
-- name, not a note about something else); exclude_keywords, searched in exclude_fields, vetoes.
-- Rules are matched on each row, before rows of one event fold, so that a condition met by any
-- report of the event (e.g. the phase of an exercise India hosted) counts for the event.
WITH rules AS (
    SELECT
        rule_id, commitment_id, rationale, keywords, exclude_keywords,
        nullif(family, '') AS family,
        string_split(nullif(exercise_type, ''), '|') AS exercise_types,
        string_split(nullif(mechanism, ''), '|') AS mechanisms,
        string_split(nullif(stage, ''), '|') AS stages,
        nullif(service, '') AS service,
        string_split(nullif(host, ''), '|') AS hosts,
        nullif(multilateral, '') AS multilateral,
        string_split(nullif(japan_any, ''), '|') AS japan_any,
        string_split(nullif(india_any, ''), '|') AS india_any,
        CAST(nullif(valid_from, '') AS DATE) AS valid_from,
        string_split(coalesce(nullif(keyword_fields, ''), 'name'), ';') AS keyword_fields,
        string_split(coalesce(nullif(exclude_fields, ''), 'name'), ';') AS exclude_fields
    FROM evidence_rules
),
ids AS (
    -- every register row id, and the real event it reports (from the folding in `events`)
    SELECT unnest(list_prepend(event_id, alias_event_ids)) AS any_id, event_id AS canonical_id
    FROM events
),
rows_ AS (
    SELECT
        r.*,
        i.canonical_id,
        map([
            'name', 'notes', 'source_title', 'technology_area', 'mechanism', 'exercise_type',
            'partners', 'other_participants', 'location'
        ], [
            r.name, r.notes, r.source_title, r.technology_area, r.mechanism, r.exercise_type,
            r.partners, r.other_participants, r.location
        ]) AS fields
    FROM event_rows AS r
    JOIN ids AS i ON i.any_id = r.event_id
),
candidate AS (
    SELECT
        r.commitment_id,
        e.canonical_id AS event_id,
        e.event_id AS row_event_id,
        r.rule_id,
        r.rationale,
        r.keywords,
        r.exclude_keywords,
        r.hosts, r.multilateral, r.japan_any, r.india_any, r.valid_from,
        e.host, e.multilateral AS event_multilateral,
        list_filter(e.japan_participants, lambda c: list_contains(r.japan_any, c)) AS japan_hit,
        list_filter(e.india_participants, lambda c: list_contains(r.india_any, c)) AS india_hit,
        array_to_string(list_transform(r.keyword_fields, lambda f: coalesce(e.fields[f], '')), ' ')
            AS keyword_text,
        array_to_string(list_transform(r.exclude_fields, lambda f: coalesce(e.fields[f], '')), ' ')
            AS exclude_text,
        r.family IS NOT NULL AS by_family, e.family,
        r.exercise_types IS NOT NULL AS by_type, r.mechanisms IS NOT NULL AS by_mechanism,
        r.stages IS NOT NULL AS by_stage, r.service IS NOT NULL AS by_service,
        e.exercise_type, e.mechanism, e.stage, e.service
    FROM rows_ AS e
    JOIN rules AS r
        ON (r.family IS NULL OR r.family = e.family)
        AND (r.exercise_types IS NULL OR list_contains(r.exercise_types, e.exercise_type))
        AND (r.mechanisms IS NULL OR list_contains(r.mechanisms, e.mechanism))
        AND (r.stages IS NULL OR list_contains(r.stages, e.stage))
        AND (r.service IS NULL OR r.service = e.service)
        AND (r.hosts IS NULL OR list_contains(r.hosts, e.host))
        AND (r.multilateral IS NULL OR CAST(r.multilateral AS BOOLEAN) = e.multilateral)
        AND (r.japan_any IS NULL OR len(list_intersect(r.japan_any, e.japan_participants)) > 0)
        AND (r.india_any IS NULL OR len(list_intersect(r.india_any, e.india_participants)) > 0)
        AND (r.valid_from IS NULL OR e.start_date >= r.valid_from)
)
SELECT
    commitment_id,
    event_id,
    row_event_id,
    rule_id,
    rationale,
    -- What matched, in words an analyst can check: the words found, then the conditions met.
    list_concat(
        CASE WHEN nullif(keywords, '') IS NULL THEN []
             ELSE list_distinct(list_transform(
                 regexp_extract_all(keyword_text, '(?i)' || keywords), lambda w: lower(w))) END,
        list_filter([
            CASE WHEN by_family THEN 'register ' || family END,
            CASE WHEN by_type THEN 'exercise type ' || exercise_type END,
            CASE WHEN by_mechanism THEN 'mechanism ' || mechanism END,
            CASE WHEN by_stage THEN 'stage ' || stage END,
            CASE WHEN by_service THEN 'service ' || service END,
            CASE WHEN hosts IS NOT NULL THEN 'hosted by ' || host END,
            CASE WHEN multilateral IS NOT NULL THEN CASE WHEN event_multilateral THEN 'multilateral' ELSE 'bilateral' END END,
            CASE WHEN len(japan_hit) > 0 THEN 'Japan: ' || array_to_string(japan_hit, ', ') END,
            CASE WHEN len(india_hit) > 0 THEN 'India: ' || array_to_string(india_hit, ', ') END,
            CASE WHEN valid_from IS NOT NULL THEN 'from ' || CAST(valid_from AS VARCHAR) END
        ], lambda t: t IS NOT NULL)
    ) AS matched_terms
FROM candidate
WHERE (nullif(keywords, '') IS NULL OR regexp_matches(keyword_text, '(?i)' || keywords))
  AND (nullif(exclude_keywords, '') IS NULL OR NOT regexp_matches(exclude_text, '(?i)' || exclude_keywords))
ORDER BY commitment_id, event_id, rule_id
