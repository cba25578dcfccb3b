-- materialized: view
-- Every (rule, event) pair where a register row meets all of the rule's conditions, keyed to the
-- real event the row reports (its canonical id in `events`). Conditions are read from
-- data/mapping/evidence_rules.csv; a blank one matches anything, and '|' separates alternatives.
-- japan_any / india_any need at least one of the listed codes among that side's participants
-- (who acts is part of what a commitment says). valid_from drops events before that date.
-- keywords is a case-insensitive regular expression searched only in keyword_fields (e.g. the
-- name, not a note about something else); exclude_keywords, searched in exclude_fields, vetoes.
-- Rules are matched on each row, before rows of one event fold, so that a condition met by any
-- report of the event (e.g. the phase of an exercise India hosted) counts for the event.
-- Testing every rule on every row costs rules x rows, so each rule is first joined to the rows
-- that can meet it: through its keywords (found in one pass per row, rule_keyword_hits), else
-- through one equality condition (its anchor). The full conditions are then checked on those
-- pairs only; the result is the same as testing every pair.
-- A view: only evidence_links reads it, once per run; as a table its 10^6 rows were written
-- and read back once more (about a second at 10^6 events). Its checks read it computed once.
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
        CAST(nullif(valid_from, '') AS DATE) AS valid_from
    FROM evidence_rules
),
anchored AS (
    -- the most selective condition a join can decide; 'all' (no condition at all) meets every row
    SELECT
        rule_id,
        CASE WHEN nullif(keywords, '') IS NOT NULL THEN 'keywords'
             WHEN mechanisms IS NOT NULL THEN 'mechanism'
             WHEN stages IS NOT NULL THEN 'stage'
             WHEN exercise_types IS NOT NULL THEN 'exercise_type'
             WHEN service IS NOT NULL THEN 'service'
             WHEN hosts IS NOT NULL THEN 'host'
             WHEN japan_any IS NOT NULL THEN 'japan'
             WHEN india_any IS NOT NULL THEN 'india'
             WHEN family IS NOT NULL THEN 'family'
             ELSE 'all' END AS anchor,
        mechanisms, stages, exercise_types, service, hosts, japan_any, india_any, family,
        multilateral
    FROM rules
),
anchor_keys AS (
    SELECT DISTINCT rule_id, anchor, family AS rule_family, multilateral AS rule_multilateral,
        unnest(CASE anchor
            WHEN 'mechanism' THEN mechanisms WHEN 'stage' THEN stages
            WHEN 'exercise_type' THEN exercise_types WHEN 'service' THEN [service]
            WHEN 'host' THEN hosts WHEN 'japan' THEN japan_any WHEN 'india' THEN india_any
            WHEN 'family' THEN [family] ELSE [] END) AS value
    FROM anchored
),
row_columns AS NOT MATERIALIZED (
    -- what the conditions read of a register row
    SELECT event_id, family, exercise_type, mechanism, stage, service, host, multilateral,
           japan_participants, india_participants, start_date
    FROM event_rows
),
anchor_pairs AS (
    -- an equality join on the rule's anchor column, one join per column (the rows unnested once
    -- per column and joined once cost more: six million rows built to be probed)
    SELECT k.*, e.* FROM row_columns AS e JOIN anchor_keys AS k
        ON k.anchor = 'mechanism' AND k.value = e.mechanism
    UNION ALL
    SELECT k.*, e.* FROM row_columns AS e JOIN anchor_keys AS k
        ON k.anchor = 'stage' AND k.value = e.stage
    UNION ALL
    SELECT k.*, e.* FROM row_columns AS e JOIN anchor_keys AS k
        ON k.anchor = 'exercise_type' AND k.value = e.exercise_type
    UNION ALL
    SELECT k.*, e.* FROM row_columns AS e JOIN anchor_keys AS k
        ON k.anchor = 'service' AND k.value = e.service
    UNION ALL
    SELECT k.*, e.* FROM row_columns AS e JOIN anchor_keys AS k
        ON k.anchor = 'host' AND k.value = e.host
    UNION ALL
    SELECT k.*, e.* FROM row_columns AS e JOIN anchor_keys AS k
        ON k.anchor = 'family' AND k.value = e.family
),
candidate_rows AS (
    -- Each rule joined to the rows that can meet it, carrying what the conditions read, so that no
    -- pair joins event_rows again: through its keywords, else an equality join on its anchor.
    SELECT h.rule_id, h.matches, e.*
    FROM rule_keyword_hits AS h
    JOIN row_columns AS e ON e.event_id = h.row_event_id
    WHERE h.role = 'keywords'
    UNION ALL
    -- the rule's family and multilateral conditions filter the anchor's pairs at once, so that
    -- pairs they reject go no further
    SELECT rule_id, NULL, * EXCLUDE (rule_id, anchor, rule_family, rule_multilateral, value)
    FROM anchor_pairs
    WHERE (rule_family IS NULL OR rule_family = family)
        AND (rule_multilateral IS NULL OR CAST(rule_multilateral AS BOOLEAN) = multilateral)
    UNION ALL
    -- a row that lists two of a rule's participants meets it once
    SELECT a.rule_id, NULL, e.*
    FROM row_columns AS e
    JOIN anchored AS a ON a.anchor = 'all'
        OR (a.anchor = 'japan' AND list_has_any(e.japan_participants, a.japan_any))
        OR (a.anchor = 'india' AND list_has_any(e.india_participants, a.india_any))
),
folded AS (
    -- the few register rows folded into another event (every other row reports itself)
    SELECT unnest(alias_event_ids) AS any_id, event_id AS canonical_id
    FROM events
    WHERE len(alias_event_ids) > 0
),
canonical AS (
    -- as a map looked up per pair: a join would hash the pairs, not these few rows
    SELECT coalesce(map(list(any_id), list(canonical_ids)), MAP {}) AS ids
    FROM (
        SELECT any_id, list(canonical_id) AS canonical_ids
        FROM (
            SELECT any_id, canonical_id FROM folded
            UNION ALL
            -- a row folded into another that is also an event of its own reports both
            SELECT e.event_id, e.event_id FROM events AS e JOIN folded AS f ON f.any_id = e.event_id
        )
        GROUP BY any_id
    )
),
candidate AS (
    SELECT
        r.commitment_id,
        unnest(coalesce(map_extract_value(i.ids, e.event_id), [e.event_id])) AS event_id,
        e.event_id AS row_event_id,
        r.rule_id,
        -- the rule's long rationale rides on the join that checks its conditions: only the pairs
        -- that meet them carry it, and no second join over the result is needed
        r.rationale,
        r.keywords,
        e.matches,
        r.hosts, r.multilateral, r.japan_any, r.india_any, r.valid_from,
        e.host, e.multilateral AS event_multilateral,
        list_filter(e.japan_participants, lambda c: list_contains(r.japan_any, c)) AS japan_hit,
        list_filter(e.india_participants, lambda c: list_contains(r.india_any, c)) AS india_hit,
        r.family IS NOT NULL AS by_family, e.family,
        r.exercise_types IS NOT NULL AS by_type, r.mechanisms IS NOT NULL AS by_mechanism,
        r.stages IS NOT NULL AS by_stage, r.service IS NOT NULL AS by_service,
        e.exercise_type, e.mechanism, e.stage, e.service
    FROM candidate_rows AS e
    JOIN rules AS r ON r.rule_id = e.rule_id
    CROSS JOIN canonical AS i
    WHERE e.event_id IS NOT NULL
        AND (r.family IS NULL OR r.family = e.family)
        AND (r.exercise_types IS NULL OR list_contains(r.exercise_types, e.exercise_type))
        AND (r.mechanisms IS NULL OR list_contains(r.mechanisms, e.mechanism))
        AND (r.stages IS NULL OR list_contains(r.stages, e.stage))
        AND (r.service IS NULL OR r.service = e.service)
        AND (r.hosts IS NULL OR list_contains(r.hosts, e.host))
        AND (r.multilateral IS NULL OR CAST(r.multilateral AS BOOLEAN) = e.multilateral)
        AND (r.japan_any IS NULL OR list_has_any(r.japan_any, e.japan_participants))
        AND (r.india_any IS NULL OR list_has_any(r.india_any, e.india_participants))
        AND (r.valid_from IS NULL OR e.start_date >= r.valid_from)
        AND NOT EXISTS (
            SELECT 1 FROM rule_keyword_hits AS x
            WHERE x.role = 'exclude' AND x.rule_id = r.rule_id AND x.row_event_id = e.event_id
        )
)
SELECT
    c.commitment_id,
    c.event_id,
    c.row_event_id,
    c.rule_id,
    c.rationale,
    -- What matched, in words an analyst can check: the words found, then the conditions met.
    list_concat(
        CASE WHEN nullif(keywords, '') IS NULL THEN []
             ELSE list_distinct(list_transform(matches, lambda w: lower(w))) END,
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
FROM candidate AS c
-- no ORDER BY: the table is only read by evidence_links, which groups it (sorting 10^6 rows of
-- lists cost seconds)
