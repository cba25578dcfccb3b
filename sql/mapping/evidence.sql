-- The evidence ledger: one row per (commitment, event), from the rules plus analysts' manual links,
-- less their exclusions (commitment_id '*' excludes an event from every commitment). rule_id is
-- 'manual' where an analyst linked it, else the first matching rule; matched_rules lists them all.
-- A manual link to an unknown event or commitment is kept (with NULL source) so that the evidence
-- suite fails and names it, instead of the link vanishing.
WITH linked AS (
    SELECT commitment_id, event_id, rule_id, weight FROM evidence_rule_matches
    UNION ALL
    SELECT commitment_id, event_id, 'manual', 1.0 FROM manual_links WHERE action = 'link'
),
kept AS (
    SELECT l.*
    FROM linked AS l
    WHERE NOT EXISTS (
        SELECT 1 FROM manual_links AS m
        WHERE m.action = 'exclude' AND m.event_id = l.event_id
          AND m.commitment_id IN (l.commitment_id, '*')
    )
)
SELECT
    k.commitment_id,
    k.event_id,
    CASE WHEN bool_or(k.rule_id = 'manual') THEN 'manual' ELSE min(k.rule_id) END AS rule_id,
    max(k.weight) AS weight,
    list(DISTINCT k.rule_id ORDER BY k.rule_id) AS matched_rules,
    any_value(e.start_date) AS start_date,
    any_value(e.source_url) AS source_url
FROM kept AS k
LEFT JOIN events AS e USING (event_id)
GROUP BY k.commitment_id, k.event_id
ORDER BY k.commitment_id, start_date, k.event_id
