-- Every further-source row typed, with the problems that keep it out of `event_sources`.
-- A further source must belong to a register row that loaded (one folded into another event
-- included: `events` gathers its sources under the canonical id), and be an https page with a title.
WITH typed AS (
    SELECT
        r.*,
        try_strptime(r.published_date, '%Y-%m-%d')::DATE AS published_on,
        try_strptime(r.retrieved_date, '%Y-%m-%d')::DATE AS retrieved_on,
        e.event_id IS NOT NULL AS event_loaded
    FROM raw_event_sources AS r
    LEFT JOIN event_rows AS e ON e.event_id = r.event_id
),
checked AS (
    SELECT
        *,
        CASE WHEN load_error IS NOT NULL THEN [{'column': NULL::VARCHAR, 'reason': load_error}]
        ELSE list_filter([
            CASE WHEN event_id IS NULL THEN {'column': 'event_id', 'reason': 'missing'}
                 WHEN NOT event_loaded THEN {'column': 'event_id', 'reason': 'no event ' || event_id || ' in events'} END,
            CASE WHEN source_url IS NULL THEN {'column': 'source_url', 'reason': 'missing'}
                 WHEN NOT regexp_full_match(source_url, 'https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:[0-9]+)?([/?#][^\s<>"]*)?')
                     THEN {'column': 'source_url', 'reason': 'not an https URL'} END,
            CASE WHEN source_title IS NULL THEN {'column': 'source_title', 'reason': 'missing'} END,
            CASE WHEN published_date IS NOT NULL AND published_on IS NULL
                THEN {'column': 'published_date', 'reason': 'not a YYYY-MM-DD date: ' || published_date} END,
            CASE WHEN retrieved_on IS NULL THEN {'column': 'retrieved_date', 'reason': 'missing or not a YYYY-MM-DD date'} END
        ], lambda p: p IS NOT NULL) END AS problems
    FROM typed
)
SELECT
    source_file, line_no, event_id, source_url, source_title, source_title_en,
    published_on AS published_date, retrieved_on AS retrieved_date, notes,
    regexp_replace(lower(regexp_extract(coalesce(source_url, ''), '^https?://([^/:?#]+)', 1)),
                   '^(www|m|amp|origin)\.', '') AS source_domain,
    raw_record, problems
FROM checked
