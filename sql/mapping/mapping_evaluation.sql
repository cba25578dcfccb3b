-- How the rules fare against analysts' reviews, per review split (holdout: never tuned against)
-- and per declaration section ('all' for every section): of the links the rules make (after
-- manual exclusions) that a review covers, how many it confirmed; and the confirmed pairs no rule
-- makes (missed links). precision = confirmed / reviewed rule-made links; recall = confirmed
-- rule-made / (confirmed rule-made + missed).
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
        any_value(v.split) AS split,
        CASE WHEN bool_or(v.verdict = 'rejected') THEN 'rejected' ELSE 'confirmed' END AS verdict
    FROM link_reviews AS v
    LEFT JOIN ids AS i ON i.any_id = v.event_id
    WHERE v.verdict IN ('confirmed', 'rejected')
    GROUP BY ALL
),
rule_made AS (
    -- the (commitment, event) pairs some rule links, after manual exclusions (the ledger holds
    -- one row per pair, its rules in rule_ids); only reviewed pairs are looked up below
    SELECT l.commitment_id, l.event_id
    FROM evidence_links AS l
    SEMI JOIN reviews AS v ON v.commitment_id = l.commitment_id AND v.event_id = l.event_id
    WHERE len(l.rule_ids) > 0
),
judged AS (
    SELECT
        v.split,
        split_part(v.commitment_id, '.', 1) AS section,
        v.commitment_id,
        v.event_id,
        v.verdict,
        r.event_id IS NOT NULL AS rule_made
    FROM reviews AS v
    LEFT JOIN rule_made AS r USING (commitment_id, event_id)
),
by_section AS (
    SELECT
        split,
        coalesce(section, 'all') AS section,
        count(*) FILTER (WHERE rule_made) AS reviewed_rule_links,
        count(*) FILTER (WHERE rule_made AND verdict = 'confirmed') AS confirmed_rule_links,
        count(*) FILTER (WHERE rule_made AND verdict = 'rejected') AS rejected_rule_links,
        count(*) FILTER (WHERE NOT rule_made AND verdict = 'confirmed') AS missed_links,
        list(commitment_id || ' ' || event_id ORDER BY commitment_id, event_id)
            FILTER (WHERE NOT rule_made AND verdict = 'confirmed') AS missed
    FROM judged
    GROUP BY GROUPING SETS ((split, section), (split))
)
SELECT
    split,
    section,
    reviewed_rule_links,
    confirmed_rule_links,
    rejected_rule_links,
    missed_links,
    round(confirmed_rule_links / nullif(reviewed_rule_links, 0), 3) AS precision,
    round(confirmed_rule_links / nullif(confirmed_rule_links + missed_links, 0), 3) AS recall,
    coalesce(missed, []) AS missed
FROM by_section
ORDER BY split, section = 'all' DESC, section
