-- Links the rules or an analyst made that a review rejected, with the reviewer's reason: kept for
-- the record and for measuring the rules, counted nowhere.
-- No ORDER BY: evidence_links is stored in the order (commitment_id, start_date, event_id), which is
-- unique per row, and DuckDB keeps insertion order through a filter (preserve_insertion_order, on
-- by default), so the rows come out in that order without sorting 10^6 rows again.
SELECT *
FROM evidence_links
WHERE review_status = 'rejected'
