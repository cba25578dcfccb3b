-- The event ledger: one row per real event. Rows that data/mapping/same_events.csv declares the
-- same real event as another (phases of one edition, one agreement in two registers, two reports
-- of one meeting) fold into that canonical row, which keeps its own fields and gains the others'
-- ids and sources (their cited pages and further sources from event_sources), so that every count
-- downstream sees the event once. A same_as that names no
-- accepted row folds nothing: the row stays an event of its own rather than vanish.
WITH canonical AS (
    SELECT
        r.event_id,
        CASE WHEN s.same_as IN (SELECT event_id FROM event_rows) THEN s.same_as ELSE r.event_id END
            AS canonical_id,
        r.start_date,
        r.end_date,
        r.source_url
    FROM event_rows AS r
    LEFT JOIN same_events AS s ON s.event_id = r.event_id
),
urls AS (
    SELECT canonical_id, list(DISTINCT source_url ORDER BY source_url) AS source_urls
    FROM (
        SELECT canonical_id, source_url FROM canonical
        UNION
        SELECT c.canonical_id, s.source_url
        FROM event_sources AS s
        JOIN canonical AS c ON c.event_id = s.event_id
    )
    GROUP BY canonical_id
),
folded AS (
    SELECT
        canonical_id AS event_id,
        list(event_id ORDER BY event_id) FILTER (WHERE event_id <> canonical_id) AS alias_event_ids,
        min(start_date) AS first_date,
        max(end_date) AS last_date
    FROM canonical
    GROUP BY canonical_id
)
SELECT
    r.* REPLACE (least(r.start_date, f.first_date) AS start_date,
                 greatest(r.end_date, f.last_date) AS end_date),
    coalesce(f.alias_event_ids, []) AS alias_event_ids,
    u.source_urls
FROM event_rows AS r
JOIN folded AS f USING (event_id)
JOIN urls AS u ON u.canonical_id = r.event_id
ORDER BY r.start_date, r.event_id
