-- Every (commitment, event) link with why it was made and what analysts said of it: the rules'
-- matches, analysts' manual links and pairs confirmed in data/mapping/link_reviews.csv, less the
-- manual exclusions (commitment_id '*' excludes an event from every commitment). Links, manual
-- lines and reviews keyed to a row folded into another event move to that event's canonical id.
-- `evidence` keeps the links counted (all but the rejected); `evidence_rejected` the rest.
-- confidence: high when confirmed by review or the event has two independent sources; medium
-- when a rule's structured condition (mechanism, stage, type, actors) or an analyst made it;
-- low when only keywords did. A manual link to an unknown event is kept (with NULL source) so
-- that the evidence suite fails and names it, instead of the link vanishing.
WITH folded AS (
    -- the few register row ids folded into another event
    SELECT unnest(alias_event_ids) AS any_id, event_id
    FROM events
    WHERE len(alias_event_ids) > 0
),
ids AS (
    -- the real event a folded row reports; every other id is its own event (coalesce keeps it),
    -- so the 10^6 ids of `events` need not be listed here
    SELECT any_id, event_id FROM folded
    UNION ALL
    -- a row folded into another that is also an event of its own reports both
    SELECT e.event_id, e.event_id FROM events AS e JOIN folded AS f ON f.any_id = e.event_id
),
reviews AS (
    SELECT
        v.commitment_id,
        coalesce(i.event_id, v.event_id) AS event_id,
        -- a rejection by any reviewer wins over a confirmation of the same pair
        CASE WHEN bool_or(v.verdict = 'rejected') THEN 'rejected' ELSE 'confirmed' END AS review_status,
        string_agg(DISTINCT v.reason, '; ') AS review_reason
    FROM link_reviews AS v
    LEFT JOIN ids AS i ON i.any_id = v.event_id
    WHERE v.verdict IN ('confirmed', 'rejected')
    GROUP BY ALL
),
linked AS (
    -- structured: made by a rule with no keywords, looked up in the list of those few rules
    -- (joining evidence_rules here instead took half a second more at 10^6 links)
    SELECT m.commitment_id, m.event_id, m.rule_id, m.rationale AS basis, m.matched_terms,
           list_contains(s.rule_ids, m.rule_id) AS structured
    FROM evidence_rule_matches AS m
    CROSS JOIN (
        SELECT list(rule_id) AS rule_ids FROM evidence_rules WHERE nullif(keywords, '') IS NULL
    ) AS s
    UNION ALL
    SELECT l.commitment_id, coalesce(i.event_id, l.event_id), 'manual', l.reason, [], true
    FROM manual_links AS l
    LEFT JOIN ids AS i ON i.any_id = l.event_id
    WHERE l.action = 'link'
    UNION ALL
    SELECT commitment_id, event_id, 'review', 'Confirmed by review: ' || review_reason, [], true
    FROM reviews
    WHERE review_status = 'confirmed'
),
excluded AS (
    SELECT x.commitment_id, coalesce(i.event_id, x.event_id) AS event_id
    FROM manual_links AS x
    LEFT JOIN ids AS i ON i.any_id = x.event_id
    WHERE x.action = 'exclude'
),
kept AS (
    -- an anti join on the few exclusions (a correlated NOT EXISTS made DuckDB list the distinct
    -- (commitment, event) pairs of every link first)
    SELECT k.*
    FROM linked AS k
    ANTI JOIN excluded AS x ON x.event_id = k.event_id AND x.commitment_id IN (k.commitment_id, '*')
),
shared AS (
    -- the few (commitment, event) pairs with more than one link
    SELECT commitment_id, event_id FROM kept GROUP BY ALL HAVING count(*) > 1
),
grouped AS (
    -- Nearly every (commitment, event) has one link, which needs no aggregate: the same values
    -- as the aggregate below gives one row, without building lists for 10^6 groups.
    SELECT
        commitment_id,
        event_id,
        rule_id,
        [rule_id] AS matched_rules,
        CASE WHEN rule_id NOT IN ('manual', 'review') THEN [rule_id] ELSE [] END AS rule_ids,
        list_sort(list_distinct(matched_terms)) AS matched_terms,
        basis,
        structured
    FROM kept
    ANTI JOIN shared USING (commitment_id, event_id)
    UNION ALL
    SELECT
        commitment_id,
        event_id,
        CASE WHEN bool_or(rule_id = 'manual') THEN 'manual'
             ELSE coalesce(min(rule_id) FILTER (WHERE rule_id <> 'review'), 'review') END AS rule_id,
        -- list_sort(list_distinct(...)) rather than list(DISTINCT ... ORDER BY ...): the same
        -- list, without the separate grouping and join DuckDB plans for each DISTINCT aggregate
        list_sort(list_distinct(list(rule_id))) AS matched_rules,
        coalesce(list_sort(list_distinct(
            list(rule_id) FILTER (WHERE rule_id NOT IN ('manual', 'review')))), []) AS rule_ids,
        list_sort(list_distinct(flatten(list(matched_terms)))) AS matched_terms,
        -- the analyst's words first, then the first rule's reading of the commitment
        coalesce(
            min(basis) FILTER (WHERE rule_id = 'manual'),
            arg_min(basis, rule_id) FILTER (WHERE rule_id <> 'review'),
            min(basis)
        ) AS basis,
        bool_or(structured) AS structured
    FROM kept
    SEMI JOIN shared USING (commitment_id, event_id)
    GROUP BY commitment_id, event_id
)
SELECT
    g.commitment_id,
    g.event_id,
    g.rule_id,
    g.matched_rules,
    g.rule_ids,
    g.matched_terms,
    g.basis,
    CASE
        WHEN v.review_status = 'confirmed' OR e.two_sources THEN 'high'
        WHEN g.structured THEN 'medium'
        ELSE 'low'
    END AS confidence,
    coalesce(v.review_status, 'unreviewed') AS review_status,
    v.review_reason,
    e.start_date,
    e.source_url
FROM grouped AS g
LEFT JOIN reviews AS v USING (commitment_id, event_id)
-- only what is read of each linked event: its source lists need not travel through the join, and
-- with the events narrowed to those linked, DuckDB hashes them rather than the wide ledger rows
-- (the events of `kept` are those of `grouped`, and `kept` is held once already for two readers)
LEFT JOIN (
    SELECT event_id, start_date, source_url, len(source_urls) >= 2 AS two_sources FROM events
    SEMI JOIN (SELECT DISTINCT event_id FROM kept) AS linked_events USING (event_id)
) AS e USING (event_id)
-- No ORDER BY: every reader orders what it reads, and sorting 10^6 links cost most of a second.
