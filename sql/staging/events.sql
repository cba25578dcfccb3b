-- The event ledger: every register row that passed all checks, one row per real event.
-- end_date equals start_date when the source gives a single day (or month).
-- source_tier comes from the cited page's domain (data/reference/source_tiers.csv): the longest
-- listed domain that is the host or a parent of it; a domain not listed is 'unclassified' and
-- still loads (a test lists such domains so the reference table is kept complete).
WITH loaded AS (
    SELECT
        * EXCLUDE (source_file, line_no, raw_record, problems),
        regexp_replace(lower(regexp_extract(source_url, '^https?://([^/:?#]+)', 1)),
                       '^(www|m|amp|origin)\.', '') AS source_domain
    FROM stg_register_rows
    WHERE len(problems) = 0
)
SELECT
    l.*,
    coalesce((
        SELECT t.tier FROM source_tiers AS t
        WHERE l.source_domain = t.domain OR l.source_domain LIKE '%.' || t.domain
        ORDER BY length(t.domain) DESC
        LIMIT 1
    ), 'unclassified') AS source_tier
FROM loaded AS l
ORDER BY start_date, event_id
