-- Links the rules or an analyst made that a review rejected, with the reviewer's reason: kept for
-- the record and for measuring the rules, counted nowhere.
SELECT *
FROM evidence_links
WHERE review_status = 'rejected'
ORDER BY commitment_id, start_date, event_id
