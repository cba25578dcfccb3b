-- Further sources of registered events (beyond the one each register row cites), with the tier
-- of each page's domain, resolved as in `events`.
SELECT
    s.* EXCLUDE (source_file, line_no, raw_record, problems),
    coalesce((
        SELECT t.tier FROM source_tiers AS t
        WHERE s.source_domain = t.domain OR s.source_domain LIKE '%.' || t.domain
        ORDER BY length(t.domain) DESC
        LIMIT 1
    ), 'unclassified') AS source_tier
FROM stg_event_sources AS s
WHERE len(s.problems) = 0
ORDER BY s.event_id, s.source_url
